# Copyright (c) mmjffra contributors. All rights reserved.
"""RVRT's frame bookkeeping: sequences padded to whole clips, frames
padded to the attention window, and flows chained from adjacent frames to
the frames of another clip."""
import math
from typing import Dict, List

import torch
from mmagic.models.utils import flow_warp
from torch import Tensor


def pad_sequence_indices(t: int, multiple: int) -> List[int]:
    """Frame indices padding a sequence of ``t`` frames to a multiple.

    As the released RVRT test script: the tail is extended by the last
    frames mirrored (``..., t-2, t-1, t-1, t-2, ...``); a sequence shorter
    than its padding ends in repeats of frame 0.
    """
    total = math.ceil(t / multiple) * multiple
    return list(range(t)) + [max(t - 1 - k, 0) for k in range(total - t)]


def symmetric_pad(x: Tensor, multiple: int) -> Tensor:
    """Pad (..., h, w) at the bottom/right to multiples of ``multiple`` by
    mirroring the last rows/columns (edge included), as the released RVRT
    test script pads a clip to its window size."""
    h, w = x.shape[-2:]
    pad_h, pad_w = (-h) % multiple, (-w) % multiple
    if pad_h > h or pad_w > w:
        raise ValueError(f'frames of {h}x{w} are too small to pad to a '
                         f'multiple of {multiple}')
    rows = torch.tensor(
        list(range(h)) + [h - 1 - k for k in range(pad_h)], device=x.device)
    cols = torch.tensor(
        list(range(w)) + [w - 1 - k for k in range(pad_w)], device=x.device)
    return x.index_select(-2, rows).index_select(-1, cols)


def chain_clip_flows(adjacent: Tensor, clip: int, clip_size: int) -> Tensor:
    """Flows from the frames of ``clip`` to those of ``clip - 1``.

    Long-range flows are chained from adjacent ones (flow is estimated
    between neighbouring frames only), in the released code's order:
    ``f(a -> b) = f(a -> a-1) + warp(f(a-1 -> b), f(a -> a-1))``.

    Args:
        adjacent (Tensor): (n, T-1, 2, h, w); ``adjacent[:, i]`` is the flow
            from frame i+1 to frame i (in processing order).
        clip (int): Index of the target clip (>= 1).
        clip_size (int): Frames per clip N.

    Returns:
        Tensor: (n, N, N, 2, h, w); ``[:, i, j]`` is the flow from frame i of
        the target clip to frame j of the previous clip.
    """
    first_support = (clip - 1) * clip_size
    found: Dict[tuple, Tensor] = {}

    def chained(a: int, b: int) -> Tensor:  # memoised
        if (a, b) not in found:
            step = adjacent[:, a - 1]
            found[a, b] = step if a == b + 1 else step + flow_warp(
                chained(a - 1, b), step.permute(0, 2, 3, 1))
        return found[a, b]

    return torch.stack([
        torch.stack([
            chained(clip * clip_size + i, first_support + j)
            for j in range(clip_size)
        ],
                    dim=1) for i in range(clip_size)
    ],
                       dim=1)
