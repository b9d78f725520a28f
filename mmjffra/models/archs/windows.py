# Copyright (c) mmjffra contributors. All rights reserved.
"""Non-overlapping attention windows of a 3D (or, with depth 1, 2D) feature
map: JFFRA's 2D window attention and RVRT's 3D Swin blocks."""
from typing import Sequence

from torch import Tensor


def window_partition(x: Tensor, window: Sequence[int]) -> Tensor:
    """Split (n, d, h, w, c) into windows (n * num_windows, wd*wh*ww, c).

    ``d, h, w`` must be multiples of the window size. A 2D map (n, h, w, c)
    is ``x[:, None]`` with ``window = (1, wh, ww)`` (JFFRA's windows).
    """
    n, d, h, w, c = x.shape
    wd, wh, ww = window
    x = x.view(n, d // wd, wd, h // wh, wh, w // ww, ww, c)
    x = x.permute(0, 1, 3, 5, 2, 4, 6, 7)
    return x.reshape(-1, wd * wh * ww, c)


def window_reverse(windows: Tensor, window: Sequence[int], d: int, h: int,
                   w: int) -> Tensor:
    """Inverse of :func:`window_partition`."""
    wd, wh, ww = window
    c = windows.shape[-1]
    x = windows.view(-1, d // wd, h // wh, w // ww, wd, wh, ww, c)
    x = x.permute(0, 1, 4, 2, 5, 3, 6, 7)
    return x.reshape(-1, d, h, w, c)
