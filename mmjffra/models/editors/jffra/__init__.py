# Copyright (c) mmjffra contributors. All rights reserved.
from .cost_volume import L1CostVolume, l1_cost_volume
from .flow_head import FlowHead
from .flow_utils import resize_flow
from .jffr_block import JFFRBlock
from .jffra import JFFRA
from .jffra_net import JFFRANet
from .window_attention import WindowAttention

__all__ = [
    'JFFRA', 'JFFRBlock', 'JFFRANet', 'L1CostVolume', 'l1_cost_volume',
    'FlowHead', 'resize_flow', 'WindowAttention'
]
