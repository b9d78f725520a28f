# Copyright (c) mmjffra contributors. All rights reserved.
from .checkpoint_safety import (checkpoint_safe_globals,
                                register_checkpoint_safe_globals)
from .dist_utils import setup_cpu_distributed

__all__ = [
    'checkpoint_safe_globals', 'register_checkpoint_safe_globals',
    'setup_cpu_distributed'
]
