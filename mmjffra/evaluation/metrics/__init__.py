# Copyright (c) mmjffra contributors. All rights reserved.
from .warping_error import WarpingError

__all__ = ['WarpingError']
