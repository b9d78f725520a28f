# Copyright (c) mmjffra contributors. All rights reserved.
"""How many windows (or sequences) one forward can take in a GPU's free
memory."""
import torch
from torch import Tensor, nn


def auto_max_windows(generator: nn.Module,
                     sample: Tensor,
                     fraction: float = 0.7,
                     cap: int = 64) -> int:
    """Windows (or sequences) per forward that fit the free GPU memory.

    On CUDA one forward of ``sample`` (one window, or a short clip) measures
    its peak memory; the result is ``fraction`` of the free memory divided
    by it, between 1 and ``cap``. On the CPU: 1 (batching windows does not
    speed up the CPU kernels, measured in ``docs/``).
    """
    if sample.device.type != 'cuda':
        return 1
    device = sample.device
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    before = torch.cuda.memory_allocated(device)
    with torch.no_grad():
        generator(sample)
    torch.cuda.synchronize(device)
    per_item = torch.cuda.max_memory_allocated(device) - before
    free, _ = torch.cuda.mem_get_info(device)
    return windows_for_memory(free, per_item, fraction, cap)


def windows_for_memory(free_bytes: int,
                       per_item_bytes: int,
                       fraction: float = 0.7,
                       cap: int = 64) -> int:
    """``fraction * free / per_item`` clamped to [1, cap]."""
    if per_item_bytes <= 0:
        return cap
    return int(max(1, min(cap, fraction * free_bytes // per_item_bytes)))
