# Copyright (c) mmjffra contributors. All rights reserved.
from .checkpoint_safety import (checkpoint_safe_globals,
                                register_checkpoint_safe_globals)
from .dist_utils import init_torchrun_group, setup_cpu_distributed
from .safetensors_checkpoints import (register_safetensors_loader,
                                      save_safetensors)

__all__ = [
    'checkpoint_safe_globals', 'register_checkpoint_safe_globals',
    'setup_cpu_distributed', 'init_torchrun_group',
    'register_safetensors_loader', 'save_safetensors'
]
