# Copyright (c) mmjffra contributors. All rights reserved.
from .rvrt import RVRT, tiled_forward
from .rvrt_net import RVRTNet, chain_clip_flows, pad_sequence_indices

__all__ = [
    'RVRT', 'RVRTNet', 'chain_clip_flows', 'pad_sequence_indices',
    'tiled_forward'
]
