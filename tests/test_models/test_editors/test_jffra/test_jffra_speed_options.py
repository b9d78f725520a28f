# Copyright (c) mmjffra contributors. All rights reserved.
"""JFFRA's speed-minded formulations give the results of the plain ops."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from mmjffra.models.editors.jffra import l1_cost_volume
from mmjffra.models.editors.jffra.jffra_net import FrameStackConv3d


@pytest.mark.parametrize('t, kernel, stride, padding', [
    (3, 3, 1, 1),
    (1, 3, 1, 1),
    (5, 3, (1, 2, 2), 1),
    (4, (3, 1, 3), 1, (0, 0, 1)),
    (2, (1, 3, 3), 1, (0, 1, 1)),
])
def test_frame_stack_conv3d_equals_conv3d(t, kernel, stride, padding):
    torch.manual_seed(0)
    conv = FrameStackConv3d(4, 6, kernel, stride, padding)
    plain = nn.Conv3d(4, 6, kernel, stride, padding)
    plain.load_state_dict(conv.state_dict())  # same keys and shapes
    x = torch.rand(2, 4, t, 9, 11, requires_grad=True)
    out, ref = conv(x), plain(x)
    assert out.shape == ref.shape
    assert (out - ref).abs().max() < 1e-5
    g_out = torch.autograd.grad(out.square().sum(), [x, conv.weight])
    g_ref = torch.autograd.grad(ref.square().sum(), [x, plain.weight])
    for a, b in zip(g_out, g_ref):  # gradients of order 100: relative
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-4)


def test_frame_stack_conv3d_refuses_what_it_cannot_compute():
    with pytest.raises(ValueError, match='temporal stride'):
        FrameStackConv3d(2, 2, 3, stride=(2, 1, 1), padding=1)
    with pytest.raises(ValueError, match='groups 1'):
        FrameStackConv3d(2, 2, 3, padding=1, groups=2)


def test_frame_stack_conv3d_counts_the_flops_of_conv3d():
    x = torch.rand(1, 2, 3, 4, 5)
    counts = []
    for cls in (FrameStackConv3d, nn.Conv3d):
        with FlopCounterMode(display=False) as counter:
            cls(2, 3, 3, 1, 1)(x)
        counts.append(counter.get_total_flops())
    assert counts[0] == counts[1] == 2 * 3 * 4 * 5 * 3 * 2 * 27


def test_cost_volume_equals_a_naive_loop():
    torch.manual_seed(0)
    ref, src = torch.rand(2, 5, 7, 9), torch.rand(2, 5, 7, 9)
    expected = l1_cost_volume(ref, src, 2)
    src_pad = F.pad(src, [2] * 4)
    naive = torch.stack(
        [(ref - src_pad[:, :, 2 + dy:9 + dy, 2 + dx:11 + dx]).abs().mean(1)
         for dy in range(-2, 3) for dx in range(-2, 3)], 1)
    assert (expected - naive).abs().max() < 1e-6
