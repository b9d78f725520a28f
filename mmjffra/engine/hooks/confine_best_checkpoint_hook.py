# Copyright (c) mmjffra contributors. All rights reserved.
"""Keep ``save_best`` from deleting files outside the run's work dir."""
import os.path as osp

from mmagic.registry import HOOKS
from mmengine.hooks import Hook


def _inside(path: str, folder: str) -> bool:
    path, folder = osp.realpath(path), osp.realpath(folder)
    return osp.commonpath([path, folder]) == folder


@HOOKS.register_module()
class ConfineBestCheckpointHook(Hook):
    """Forget a resumed best checkpoint that lies outside the work dir.

    MMEngine's ``CheckpointHook`` keeps the path of the best checkpoint in
    the message hub (``best_ckpt``, ``best_ckpt_<metric>``), which a resumed
    checkpoint brings along, and removes that file when a better score comes
    ("The previous best checkpoint ... is removed"). Resuming from another
    run's checkpoint (``--resume`` with ``load_from=<other run>/iter_N.pth``,
    or a checkpoint copied into a new work dir) would then delete the other
    run's best checkpoint. Before training starts (and before the checkpoint
    hook reads the hub), this hook drops such a path and its score, so the
    run keeps its own best in its own work dir and never deletes a file of
    another run.

    ``tools/train.py`` adds it to every run (``custom_hooks``).
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        info = runner.message_hub.runtime_info
        for key in [k for k in info if k.startswith('best_ckpt')]:
            path = info[key]
            if not path or '://' in str(path) or _inside(
                    str(path), runner.work_dir):
                continue
            info.pop(key)
            info.pop(key.replace('best_ckpt', 'best_score', 1), None)
            runner.logger.warning(
                f'resumed best checkpoint {path} belongs to another work dir: '
                f'it is left alone and the best of {runner.work_dir} starts '
                'afresh')
