# Copyright (c) mmjffra contributors. All rights reserved.
"""Training checkpoints that are complete or absent, and a resume that
never picks a truncated one.

MMEngine's ``CheckpointHook`` calls ``runner.save_checkpoint``, which
``torch.save``-s straight into ``iter_N.pth``, then writes the name into
``work_dir/last_checkpoint``; ``--resume`` loads the file named there. A
run killed while saving leaves a truncated ``iter_N.pth`` (and possibly an
empty ``last_checkpoint``), and ``--resume`` then fails, or starts again
from scratch.

- :class:`AtomicCheckpointMixin` makes a runner's ``save_checkpoint``
  write a hidden sibling, flush it and rename it into place: a checkpoint
  file is complete or absent, and ``last_checkpoint`` (written after the
  save) names only complete ones.
- :func:`latest_complete_checkpoint` picks the checkpoint to resume from:
  the one ``last_checkpoint`` names if it loads, else the newest of the
  work dir's ``iter_N``/``epoch_N`` files that loads.
"""
import glob
import os
import os.path as osp
import re
from typing import Callable, Optional

from .safe_files import remove_quietly, replace_durably, temp_sibling

_STEP = re.compile(r'^(?:iter|epoch)_(\d+)\.pth$')


class AtomicCheckpointMixin:
    """``save_checkpoint`` (every hook's way to save) writes each
    checkpoint to a hidden sibling and renames it into place when it is
    complete; a failure or a signal removes the sibling. Mixed into a
    runner (:class:`mmjffra.engine.AtomicCheckpointRunner`)."""

    def save_checkpoint(self, out_dir, filename, *args, **kwargs):
        save = super().save_checkpoint
        if '://' in str(out_dir):  # remote backends: theirs to handle
            return save(out_dir, filename, *args, **kwargs)
        final = osp.join(out_dir, filename)
        tmp = temp_sibling(final)
        try:
            save(out_dir, osp.basename(tmp), *args, **kwargs)
            if osp.isfile(tmp):  # ranks other than 0 write nothing
                replace_durably(tmp, final)
        except BaseException:
            remove_quietly(tmp)
            raise


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a complete checkpoint, or None if it loads
    (its tensors are memory-mapped, not read)."""
    import torch
    if not osp.isfile(path):
        return 'missing'
    try:
        torch.load(path, map_location='cpu', mmap=True)
    except Exception as err:  # any failure: not a checkpoint to resume
        from .torch_load_allowlist import load_failure
        return ' '.join(load_failure(err).split())[:200]
    return None


def latest_complete_checkpoint(work_dir: str,
                               log: Callable[[str],
                                             None] = print) -> Optional[str]:
    """The checkpoint to resume a run of ``work_dir`` from.

    The one named by ``last_checkpoint`` if it loads, else the newest
    (highest ``iter_N``/``epoch_N``) of the work dir that loads; each
    skipped file is logged. Leftover temporaries of killed saves are
    removed.

    Returns:
        str | None: The path, or None when there is none to resume.
    """
    for stale in glob.glob(osp.join(work_dir, '.*.tmp[0-9]*.pth')):
        remove_quietly(stale)
    named = None
    try:
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            named = f.read().strip() or None
    except OSError:
        pass
    candidates = []
    folders = {work_dir} | ({osp.dirname(named)} if named else set())
    for folder in folders:
        if not osp.isdir(folder):
            continue
        for name in os.listdir(folder):
            match = _STEP.match(name)
            if match:
                candidates.append((int(match.group(1)), osp.join(folder,
                                                                 name)))
    ordered = ([named] if named else []) + [
        p for _, p in sorted(candidates, reverse=True) if p != named
    ]
    for path in ordered:
        problem = checkpoint_problem(path)
        if problem is None:
            return path
        log(f'resume: skipping checkpoint {path!r}, it cannot be loaded '
            f'({problem})')
    return None


def set_resume(cfg,
               load_from_given: bool,
               log: Callable[[str], None] = print) -> None:
    """Point ``cfg`` at what ``tools/train.py --resume`` continues.

    A ``load_from`` given on the command line is the checkpoint to resume
    (MMagic's meaning). Otherwise the run resumes from the newest complete
    checkpoint of ``cfg.work_dir`` (:func:`latest_complete_checkpoint`); a
    ``load_from`` of the config file is the weights a training stage starts
    from (e.g. the first stage of a two-stage recipe), not a checkpoint to
    resume, so without a checkpoint in the work dir the run starts again
    from those weights (``cfg.resume`` False).
    """
    cfg.resume = True
    if load_from_given:
        return
    latest = latest_complete_checkpoint(cfg.work_dir, log)
    if latest is not None:
        cfg.load_from = latest
        return
    start = (f"from {cfg.load_from}'s weights"
             if cfg.get('load_from') else 'from the start')
    log(f'resume: no complete checkpoint in {cfg.work_dir}; training {start}')
    cfg.resume = False
