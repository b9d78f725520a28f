# Copyright (c) mmjffra contributors. All rights reserved.
from .confine_best_checkpoint_hook import ConfineBestCheckpointHook

__all__ = ['ConfineBestCheckpointHook']
