# Copyright (c) mmjffra contributors. All rights reserved.
from .clip_indexing import chain_clip_flows, pad_sequence_indices
from .guided_deform_attn import (GuidedDeformableAttention,
                                 deformable_kv_attention)
from .rvrt import RVRT
from .rvrt_net import RVRTNet
from .swin3d import RSTBWithInputConv, SwinTransformerBlock3D

__all__ = [
    'RVRT', 'RVRTNet', 'chain_clip_flows', 'pad_sequence_indices',
    'GuidedDeformableAttention', 'deformable_kv_attention',
    'RSTBWithInputConv', 'SwinTransformerBlock3D'
]
