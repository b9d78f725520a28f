# Copyright (c) mmjffra contributors. All rights reserved.
from .jffra import JFFRA, JFFRANet, JFFRBlock
from .rvrt import RVRT, RVRTNet

__all__ = ['JFFRA', 'JFFRANet', 'JFFRBlock', 'RVRT', 'RVRTNet']
