# Copyright (c) mmjffra contributors. All rights reserved.
from .jffra import JFFRA, JFFRANet, JFFRBlock, temporal_indices

__all__ = ['JFFRA', 'JFFRANet', 'JFFRBlock', 'temporal_indices']
