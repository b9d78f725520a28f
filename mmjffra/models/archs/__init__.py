# Copyright (c) mmjffra contributors. All rights reserved.
from .cost_volume import L1CostVolume, cost_volume_shift, l1_cost_volume
from .flow_head import FlowHead
from .flow_utils import resize_flow
from .guided_deform_attn import (GuidedDeformableAttention,
                                 guided_deformable_attention)
from .swin3d import RSTBWithInputConv, SwinTransformerBlock3D
from .window_attention import WindowAttention, window_partition, window_reverse

__all__ = [
    'L1CostVolume', 'l1_cost_volume', 'cost_volume_shift', 'FlowHead',
    'WindowAttention', 'window_partition', 'window_reverse', 'resize_flow',
    'GuidedDeformableAttention', 'guided_deformable_attention',
    'RSTBWithInputConv', 'SwinTransformerBlock3D'
]
