# Copyright (c) mmjffra contributors. All rights reserved.
from .degradations import AddGaussianNoise

__all__ = ['AddGaussianNoise']
