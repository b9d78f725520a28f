# Copyright (c) mmjffra contributors. All rights reserved.
"""The attention windows both networks use: 3D windows, and 2D maps as
depth 1."""
import torch

from mmjffra.models.archs import window_partition, window_reverse


def test_windows_hold_the_pixels_of_each_block_in_order():
    n, d, h, w, c = 2, 4, 6, 8, 3
    x = torch.arange(
        n * d * h * w * c, dtype=torch.float32).view(n, d, h, w, c)
    windows = window_partition(x, (2, 3, 4))
    assert windows.shape == (n * 2 * 2 * 2, 2 * 3 * 4, c)
    # the second window of the first sample: depth 0-1, rows 0-2, cols 4-7
    assert torch.equal(windows[1], x[0, 0:2, 0:3, 4:8].reshape(-1, c))
    assert torch.equal(window_reverse(windows, (2, 3, 4), d, h, w), x)


def test_a_2d_map_is_depth_one():
    x = torch.rand(2, 6, 8, 5)  # (n, h, w, c)
    windows = window_partition(x[:, None], (1, 3, 4))
    assert windows.shape == (2 * 2 * 2, 12, 5)
    assert torch.equal(windows[3], x[0, 3:6, 4:8].reshape(-1, 5))
    back = window_reverse(windows, (1, 3, 4), 1, 6, 8)[:, 0]
    assert torch.equal(back, x)
