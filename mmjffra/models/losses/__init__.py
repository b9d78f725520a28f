# Copyright (c) mmjffra contributors. All rights reserved.
from .temporal_loss import OcclusionAwareTemporalLoss, occlusion_mask

__all__ = ['OcclusionAwareTemporalLoss', 'occlusion_mask']
