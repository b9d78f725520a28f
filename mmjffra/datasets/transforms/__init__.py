# Copyright (c) mmjffra contributors. All rights reserved.
from .degradations import AddGaussianNoise, BlurDownsample, gaussian_kernel

__all__ = ['AddGaussianNoise', 'BlurDownsample', 'gaussian_kernel']
