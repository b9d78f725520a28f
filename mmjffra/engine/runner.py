# Copyright (c) mmjffra contributors. All rights reserved.
"""MMEngine's ``Runner`` whose checkpoints are complete or absent."""
from mmagic.registry import RUNNERS
from mmengine.runner import Runner

from mmjffra.utils.atomic_checkpoints import AtomicCheckpointMixin


@RUNNERS.register_module()
class AtomicCheckpointRunner(AtomicCheckpointMixin, Runner):
    """A ``Runner`` that writes every checkpoint beside its name and renames
    it into place when complete (:class:`AtomicCheckpointMixin`): a run
    killed while saving leaves no truncated ``iter_N.pth``.

    Chosen by ``runner_type = 'AtomicCheckpointRunner'`` (our runtime base;
    ``tools/train.py`` sets it for any config without a ``runner_type``),
    so ``tools/train.py``, ``mim train`` and ``RUNNERS.build(cfg)`` all save
    this way.
    """
