# Copyright (c) mmjffra contributors. All rights reserved.
from .hooks import ConfineBestCheckpointHook

__all__ = ['ConfineBestCheckpointHook']
