# Copyright (c) mmjffra contributors. All rights reserved.
from .hooks import ConfineBestCheckpointHook
from .runner import AtomicCheckpointRunner

__all__ = ['AtomicCheckpointRunner', 'ConfineBestCheckpointHook']
