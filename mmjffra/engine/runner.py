# Copyright (c) mmjffra contributors. All rights reserved.
"""MMEngine's ``Runner`` whose checkpoints are complete or absent."""
from mmagic.registry import RUNNERS
from mmengine.runner import Runner

from mmjffra.utils.atomic_checkpoints import (AtomicCheckpointMixin,
                                              latest_complete_checkpoint)


@RUNNERS.register_module()
class AtomicCheckpointRunner(AtomicCheckpointMixin, Runner):
    """A ``Runner`` that writes every checkpoint beside its name and renames
    it into place when complete (:class:`AtomicCheckpointMixin`): a run
    killed while saving leaves no truncated ``iter_N.pth``; and that resumes
    past one a copy or a full disk truncated.

    Chosen by ``runner_type = 'AtomicCheckpointRunner'`` (our runtime base;
    ``tools/train.py`` sets it for any config without a ``runner_type``),
    so ``tools/train.py``, ``mim train`` and ``RUNNERS.build(cfg)`` all save
    and resume this way. (MMEngine's ``Runner.from_cfg`` builds a plain
    ``Runner``; ``AtomicCheckpointRunner.from_cfg`` builds this one.)
    """

    def load_or_resume(self) -> None:
        """As MMEngine's; ``resume=True`` without ``load_from`` continues
        from the newest checkpoint of the work dir that loads
        (:func:`latest_complete_checkpoint`: each one that does not is
        logged and skipped), or trains from the start when there is none.
        """
        if self._resume and self._load_from is None:
            latest = latest_complete_checkpoint(self.work_dir,
                                                self.logger.warning)
            if latest is None:
                self._resume = False
            else:
                self._load_from = latest
        super().load_or_resume()
