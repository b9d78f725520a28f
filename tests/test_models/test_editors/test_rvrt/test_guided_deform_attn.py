# Copyright (c) mmjffra contributors. All rights reserved.
import math

import pytest
import torch
from mmagic.models.utils import flow_warp
from mmagic.registry import MODELS

from mmjffra.models.editors.rvrt.guided_deform_attn import (
    guided_deformable_attention, warp_to_targets)


def _bilinear(img, x, y):
    """Sample img (c, h, w) at (x, y), zero outside (naive)."""
    c, h, w = img.shape
    x0, y0 = math.floor(x), math.floor(y)
    out = torch.zeros(c, dtype=torch.float64)
    for yy, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
        for xx, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
            if 0 <= yy < h and 0 <= xx < w:
                out += wy * wx * img[:, yy, xx].double()
    return out


def _reference(query, key, value, offsets, heads, kernel):
    """Per-pixel, per-point loop implementation of GDA."""
    b, c, h, w = query.shape
    s, g, p = offsets.shape[1:4]
    cg, dh = c // g, c // heads
    kh, kw = kernel
    out = torch.zeros(b, c, h, w, dtype=torch.float64)
    for bi in range(b):
        for y in range(h):
            for x in range(w):
                ks = torch.zeros(c, s * p, dtype=torch.float64)
                vs = torch.zeros(c, s * p, dtype=torch.float64)
                for si in range(s):
                    for gi in range(g):
                        chans = slice(gi * cg, (gi + 1) * cg)
                        for pi in range(p):
                            by, bx = pi // kw - kh // 2, pi % kw - kw // 2
                            dx, dy = offsets[bi, si, gi, pi, :, y, x].tolist()
                            px, py = x + bx + dx, y + by + dy
                            ks[chans, si * p + pi] = _bilinear(
                                key[bi, si, chans], px, py)
                            vs[chans, si * p + pi] = _bilinear(
                                value[bi, si, chans], px, py)
                for hi in range(heads):
                    chans = slice(hi * dh, (hi + 1) * dh)
                    q = query[bi, chans, y, x].double()
                    logits = (q[:, None] * ks[chans]).sum(0) / math.sqrt(dh)
                    attn = torch.softmax(logits, 0)
                    out[bi, chans, y, x] = (vs[chans] * attn[None]).sum(1)
    return out


@pytest.mark.parametrize('heads,groups,kernel',
                         [(2, 2, (3, 3)), (4, 2, (1, 2)), (1, 4, (2, 1))])
def test_gda_matches_naive_reference(heads, groups, kernel):
    torch.manual_seed(0)
    b, s, c, h, w = 2, 2, 8, 4, 5
    p = kernel[0] * kernel[1]
    query = torch.randn(b, c, h, w)
    key = torch.randn(b, s, c, h, w)
    value = torch.randn(b, s, c, h, w)
    # fractional offsets, some pointing outside the frame
    offsets = 2.5 * torch.randn(b, s, groups, p, 2, h, w)
    out = guided_deformable_attention(query, key, value, offsets, heads,
                                      kernel)
    ref = _reference(query, key, value, offsets, heads, kernel)
    assert torch.allclose(out.double(), ref, atol=1e-5)


def test_gda_targets_share_support_frames():
    """A (b, t, ...) query equals t separate single-target calls."""
    torch.manual_seed(5)
    b, t, s, c, h, w = 2, 3, 2, 8, 4, 5
    query = torch.randn(b, t, c, h, w)
    key, value = torch.randn(2, b, s, c, h, w)
    offsets = 2 * torch.randn(b, t, s, 4, 4, 2, h, w)
    out = guided_deformable_attention(query, key, value, offsets, 2, (2, 2))
    assert out.shape == (b, t, c, h, w)
    for i in range(t):
        ref = _reference(query[:, i], key, value, offsets[:, i], 2, (2, 2))
        assert torch.allclose(out[:, i].double(), ref, atol=1e-5)


def test_gda_one_point_zero_offset_is_flow_warp():
    torch.manual_seed(1)
    b, c, h, w = 2, 6, 7, 9
    value = torch.rand(b, 1, c, h, w)
    flow = 3 * torch.randn(b, 2, h, w)
    offsets = flow[:, None, None, None]  # (b, s=1, g=1, p=1, 2, h, w)
    out = guided_deformable_attention(
        torch.randn(b, c, h, w),
        torch.randn(b, 1, c, h, w),
        value,
        offsets,
        num_heads=3,
        kernel_size=(1, 1))
    expected = flow_warp(value[:, 0], flow.permute(0, 2, 3, 1))
    assert torch.allclose(out, expected, atol=1e-6)


def _identity_gda(c, clip_size, kernel=(1, 1)):
    gda = MODELS.build(
        dict(
            type='GuidedDeformableAttention',
            embed_dims=c,
            clip_size=clip_size,
            num_heads=2,
            num_groups=2,
            kernel_size=kernel))
    with torch.no_grad():
        for conv in (gda.proj_v, gda.proj):
            conv.weight.copy_(torch.eye(c)[..., None, None])
            conv.bias.zero_()
        gda.mlp[-1].weight.zero_()
        gda.mlp[-1].bias.zero_()
    return gda


def test_gda_module_at_init_reduces_to_flow_warping():
    """Learned offsets are zero at init: one point per frame = warping."""
    torch.manual_seed(2)
    n, t, c, h, w = 1, 2, 4, 6, 8
    gda = _identity_gda(c, clip_size=1)
    query = torch.randn(n, t, c, h, w)
    key = torch.randn(n, 1, c, h, w)
    value = torch.rand(n, 1, c, h, w)
    flows = 2 * torch.randn(n, t, 1, 2, h, w)
    warped = warp_to_targets(value, flows)
    out, refined = gda(query, key, value, warped, flows, return_offsets=True)
    assert torch.allclose(out, warped, atol=1e-6)
    assert torch.equal(refined, flows)


def test_gda_module_attends_over_support_frames():
    """Two support frames, one point each: the output is a convex mix."""
    torch.manual_seed(3)
    n, c, h, w = 1, 4, 5, 5
    gda = _identity_gda(c, clip_size=2)
    value = torch.rand(n, 2, c, h, w)
    flows = torch.zeros(n, 1, 2, 2, h, w)
    out = gda(
        torch.randn(n, 1, c, h, w), torch.randn(n, 2, c, h, w), value,
        warp_to_targets(value, flows), flows)
    lo = torch.minimum(value[:, 0], value[:, 1])
    hi = torch.maximum(value[:, 0], value[:, 1])
    assert (out[:, 0] >= lo - 1e-6).all() and (out[:, 0] <= hi + 1e-6).all()
    assert not torch.allclose(out[:, 0], value[:, 0])


def test_gda_gradients_and_bad_shapes():
    torch.manual_seed(4)
    n, c, h, w = 1, 8, 5, 6
    gda = MODELS.build(
        dict(
            type='GuidedDeformableAttention',
            embed_dims=c,
            clip_size=2,
            num_heads=2,
            num_groups=4))
    query = torch.randn(n, 2, c, h, w)
    support = torch.randn(n, 2, c, h, w)
    flows = torch.randn(n, 2, 2, 2, h, w)
    # a non-zero last offset layer so that gradients reach the whole net
    torch.nn.init.normal_(gda.conv_offset[-1].weight, std=0.01)
    gda(query, support, support, warp_to_targets(support, flows),
        flows).square().mean().backward()
    missing = [
        k for k, p in gda.named_parameters()
        if p.grad is None or p.grad.abs().sum() == 0
    ]
    assert missing == []
    with pytest.raises(ValueError, match=r'\(n, 2, 8, 5, 6\)'):
        gda(query, support[:, :1], support[:, :1], None, flows)
    with pytest.raises(ValueError, match='flows must be'):
        gda(query, support, support, None, flows[:, :, :1])
