# Copyright (c) mmjffra contributors. All rights reserved.
from .degradations import AddGaussianNoise, bicubic_downsample

__all__ = ['AddGaussianNoise', 'bicubic_downsample']
