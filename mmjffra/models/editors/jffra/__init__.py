# Copyright (c) mmjffra contributors. All rights reserved.
from .jffr_block import JFFRBlock
from .jffra import JFFRA, temporal_indices
from .jffra_net import JFFRANet

__all__ = ['JFFRA', 'JFFRBlock', 'JFFRANet', 'temporal_indices']
