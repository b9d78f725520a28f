# Copyright (c) mmjffra contributors. All rights reserved.
from .base_flow_estimator import (BaseFlowEstimator,
                                  flow_estimators_to_float32,
                                  random_weights_for_learned_estimators)
from .dis_flow import DISFlowEstimator
from .raft_flow import RAFTFlowEstimator
from .spynet_flow import SPyNetFlowEstimator

__all__ = [
    'BaseFlowEstimator', 'DISFlowEstimator', 'RAFTFlowEstimator',
    'SPyNetFlowEstimator', 'flow_estimators_to_float32',
    'random_weights_for_learned_estimators'
]
