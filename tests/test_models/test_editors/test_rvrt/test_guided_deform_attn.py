# Copyright (c) mmjffra contributors. All rights reserved.
import pytest
import torch
from mmagic.registry import MODELS

from mmjffra.models.editors.rvrt.guided_deform_attn import warp_to_targets


def _identity_gda(c, clip_size, kernel=(1, 1)):
    gda = MODELS.build(
        dict(
            type='GuidedDeformableAttention',
            embed_dims=c,
            clip_size=clip_size,
            num_heads=2,
            num_groups=2,
            kernel_size=kernel))
    # values projected to [v, v] (2C) and back by their mean: the output is
    # the sampled values; the MLP adds nothing
    eye = torch.eye(c)
    with torch.no_grad():
        gda.proj_v.weight.copy_(torch.cat([eye, eye]))
        gda.proj.weight.copy_(torch.cat([eye, eye], 1) / 2)
        for layer in (gda.proj_v, gda.proj, gda.mlp.fc2):
            layer.bias.zero_()
        gda.mlp.fc2.weight.zero_()
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
    with pytest.raises(ValueError, match=r'\(1, 2, 8, 5, 6\)'):
        gda(query, support[:, :1], support[:, :1], None, flows)
    with pytest.raises(ValueError, match='flows must be'):
        gda(query, support, support, None, flows[:, :, :1])


def test_gda_reads_the_support_frames_in_the_released_order():
    gda = MODELS.build(
        dict(
            type='GuidedDeformableAttention',
            embed_dims=4,
            clip_size=3,
            num_heads=2,
            num_groups=2))
    order, inverse = gda.chunk_order(3)
    # target frame i reads supports i, i+1, ... (modulo the clip size)
    assert order.tolist() == [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    for i in range(3):
        assert [order[i, inverse[i, f]].item() for f in range(3)] == [0, 1, 2]
