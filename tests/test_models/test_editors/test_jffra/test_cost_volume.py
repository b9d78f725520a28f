# Copyright (c) mmjffra contributors. All rights reserved.
import pytest
import torch
from mmagic.registry import MODELS

from mmjffra.models.editors.jffra import l1_cost_volume


def naive_cost_volume(ref, src, radius):
    n, c, h, w = ref.shape
    side = 2 * radius + 1
    out = torch.zeros(n, side * side, h, w, dtype=ref.dtype)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            k = (dy + radius) * side + (dx + radius)
            for y in range(h):
                for x in range(w):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < h and 0 <= xx < w:
                        other = src[:, :, yy, xx]
                    else:
                        other = torch.zeros_like(ref[:, :, 0, 0])
                    out[:, k, y, x] = (ref[:, :, y, x] - other).abs().mean(1)
    return out


def test_cost_volume_matches_naive_loop():
    torch.manual_seed(0)
    ref, src = torch.randn(2, 5, 7, 6), torch.randn(2, 5, 7, 6)
    expected = naive_cost_volume(ref, src, radius=2)
    assert torch.allclose(l1_cost_volume(ref, src, 2), expected, atol=1e-6)


def test_cost_volume_zero_at_zero_displacement_for_equal_inputs():
    x = torch.rand(1, 4, 9, 10)
    cost = l1_cost_volume(x, x.clone(), radius=4)
    assert cost.shape == (1, 81, 9, 10)
    # channel (l + r) * (2r + 1) + (m + r) holds displacement (l, m): 40 is
    # (0, 0) for r = 4
    assert torch.equal(cost[:, 40], torch.zeros(1, 9, 10))
    # all other displacements of a random map cost something
    assert (cost[:, :40] > 0).float().mean() > 0.9


def test_cost_volume_finds_known_shift():
    x = torch.rand(1, 3, 16, 16)
    shifted = torch.roll(x, shifts=(2, -1), dims=(2, 3))
    # src[y + 2, x - 1] == ref[y, x]  ->  l = 2, m = -1
    cost = l1_cost_volume(x, shifted, radius=4)[:, :, 4:-4, 4:-4]
    best = cost.argmin(1).unique()
    assert best.tolist() == [(2 + 4) * 9 + (-1 + 4)]


def test_cost_volume_gradient_matches_autograd_reference():
    torch.manual_seed(1)
    ref = torch.randn(1, 3, 5, 6, dtype=torch.double, requires_grad=True)
    src = torch.randn(1, 3, 5, 6, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: l1_cost_volume(a, b, 1),
                                    (ref, src))
    weight = torch.randn(1, 25, 5, 6, dtype=torch.double)
    (l1_cost_volume(ref, src, 2) * weight).sum().backward()
    got = ref.grad.clone(), src.grad.clone()
    ref.grad = src.grad = None
    (naive_cost_volume(ref, src, 2) * weight).sum().backward()
    assert torch.allclose(got[0], ref.grad)
    assert torch.allclose(got[1], src.grad)


def test_cost_volume_module_and_errors():
    module = MODELS.build(dict(type='L1CostVolume', radius=1))
    assert module.out_channels == 9
    x = torch.rand(1, 2, 4, 4)
    assert torch.equal(module(x, x)[:, 4], torch.zeros(1, 4, 4))
    with pytest.raises(ValueError, match='same shape'):
        module(x, torch.rand(1, 2, 4, 5))
    with pytest.raises(ValueError, match='radius'):
        l1_cost_volume(x, x, -1)
