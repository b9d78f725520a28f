# Copyright (c) mmjffra contributors. All rights reserved.
from mmjffra.errors import DatasetNotFoundError
from .layouts import LAYOUTS, check_dataset_paths
from .transforms import *  # noqa: F401,F403

__all__ = ['LAYOUTS', 'DatasetNotFoundError', 'check_dataset_paths']
