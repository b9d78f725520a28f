# Copyright (c) mmjffra contributors. All rights reserved.
"""Distributed launch that also works on machines without a GPU."""
import os
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.config import Config


def init_torchrun_group(device: str = 'cpu',
                        backend: Optional[str] = None) -> str:
    """Join the process group of a ``torchrun`` launch (once; nothing for
    a single process) and return this rank's device.

    Args:
        device (str): 'cpu', 'cuda' (this rank's ``LOCAL_RANK`` GPU) or
            'cuda:N'.
        backend (str, optional): Default: NCCL for CUDA, else gloo.

    Returns:
        str: The rank's device.
    """
    if int(os.environ.get('WORLD_SIZE', '1')) <= 1:
        return device
    local = int(os.environ.get('LOCAL_RANK', '0'))
    if device == 'cuda':
        device = f'cuda:{local}'
    if device.startswith('cuda'):
        torch.cuda.set_device(torch.device(device))
    if not dist.is_initialized():
        dist.init_process_group(
            backend or ('nccl' if device.startswith('cuda') else 'gloo'))
    return device


def setup_cpu_distributed(cfg: Config, backend: str = 'gloo') -> bool:
    """Prepare ``--launcher pytorch`` runs on a machine without CUDA.

    MMEngine's ``init_dist('pytorch')`` calls ``torch.cuda.set_device`` and
    fails with "Found no NVIDIA driver" on a machine without a GPU, even with
    the gloo backend; its runner then wraps the model in DDP with
    ``device_ids=[LOCAL_RANK]``, which DDP refuses for a CPU module. When
    ``cfg.launcher`` is 'pytorch' and CUDA is not available, this

    - initialises the default process group with ``backend`` from the
      ``torchrun`` environment (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``,
      ``MASTER_PORT``); the runner finds it initialised and skips its own
      ``init_dist``;
    - sets ``device_ids=None`` in ``cfg.model_wrapper_cfg`` (creating the
      runner's default ``MMDistributedDataParallel`` config if absent).

    With CUDA available it does nothing, so NCCL runs exactly as in MMEngine.

    Args:
        cfg (Config): The config, with ``launcher`` set; modified in place.
        backend (str): Backend of the CPU process group. Default: 'gloo'.

    Returns:
        bool: True if the CPU distributed set-up was applied.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available():
        return False
    for key in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        if key not in os.environ:
            raise RuntimeError(f'--launcher pytorch needs ${key}: start the '
                               'script with torchrun (tools/dist_train.sh)')
    init_torchrun_group('cpu', backend)
    wrapper = cfg.get('model_wrapper_cfg', None)
    if wrapper is None:
        wrapper = dict(
            type='MMDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True
