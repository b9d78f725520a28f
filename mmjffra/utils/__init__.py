# Copyright (c) mmjffra contributors. All rights reserved.
from .dist_utils import init_torchrun_group, setup_cpu_distributed
from .safetensors_checkpoints import (register_safetensors_loader,
                                      save_safetensors)
from .torch_load_allowlist import (checkpoint_safe_globals, load_failure,
                                   register_checkpoint_safe_globals)

__all__ = [
    'checkpoint_safe_globals', 'register_checkpoint_safe_globals',
    'load_failure', 'setup_cpu_distributed', 'init_torchrun_group',
    'register_safetensors_loader', 'save_safetensors'
]
