# Copyright (c) mmjffra contributors. All rights reserved.
from .base_flow_estimator import BaseFlowEstimator, flow_estimators_to_float32
from .dis_flow import DISFlowEstimator
from .raft_flow import RAFTFlowEstimator
from .spynet_flow import SPyNetFlowEstimator

__all__ = [
    'BaseFlowEstimator', 'DISFlowEstimator', 'RAFTFlowEstimator',
    'SPyNetFlowEstimator', 'flow_estimators_to_float32'
]
