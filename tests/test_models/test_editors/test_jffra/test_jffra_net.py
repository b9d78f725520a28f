# Copyright (c) mmjffra contributors. All rights reserved.
import pytest
import torch
from conftest import tiny_jffra_cfg as tiny_cfg
from mmagic.registry import MODELS


@pytest.mark.parametrize('scale', [4, 1])
def test_output_shapes_for_odd_sizes(scale):
    net = MODELS.build(tiny_cfg(upscale_factor=scale))
    out = net(torch.rand(2, 3, 3, 17, 23))
    assert out.shape == (2, 3, 17 * scale, 23 * scale)


def test_five_frames_and_noise_map():
    net = MODELS.build(
        tiny_cfg(num_frames=5, upscale_factor=1, with_noise_map=True))
    lqs = torch.rand(1, 5, 4, 16, 16)
    assert net(lqs).shape == (1, 3, 16, 16)
    with pytest.raises(ValueError, match='4 channels'):
        net(torch.rand(1, 5, 3, 16, 16))


def block(**options):
    return MODELS.build(
        dict(type='JFFRBlock', channels=4, num_frames=3, **options))


def test_block_refined_flow_equals_initial_flow_at_init():
    feats, flows = torch.rand(2, 3, 4, 12, 10), torch.randn(2, 2, 2, 12, 10)
    new_feats, new_flows = block(num_heads=2)(feats, flows)
    assert torch.equal(new_flows, flows)
    # the attention residual starts at zero
    assert torch.equal(new_feats, feats)
    new_feats, new_flows = block(
        num_heads=2, residual_init='default')(feats, flows)
    assert torch.equal(new_flows, flows)
    assert new_feats.shape == feats.shape
    assert not torch.allclose(new_feats, feats)  # features did change


def test_layer_scale_residual():
    feats, flows = torch.rand(1, 3, 4, 8, 8), torch.randn(1, 2, 2, 8, 8)
    torch.manual_seed(0)
    full = block(residual_init='default')
    torch.manual_seed(0)
    scaled = block(residual_init=0.1)
    assert scaled.layer_scale.shape == (12, )
    # same weights, the residual scaled by 0.1
    res_full = full(feats, flows)[0] - feats
    res_scaled = scaled(feats, flows)[0] - feats
    assert torch.allclose(res_scaled, 0.1 * res_full, atol=1e-6)
    with pytest.raises(ValueError, match='residual_init'):
        block(residual_init='big')


def test_bounded_flow_update():
    bounded = block(search_radius=1, max_flow_update=0.5)
    torch.nn.init.constant_(bounded.flow_head.layers[-1].bias, 100.)
    feats, flows = torch.rand(1, 3, 4, 8, 8), torch.zeros(1, 2, 2, 8, 8)
    _, new_flows = bounded(feats, flows)
    # a huge raw update (100 px) is bounded to 0.5 * tanh(200)
    assert torch.allclose(new_flows, torch.full_like(flows, 0.5))
    torch.nn.init.constant_(bounded.flow_head.layers[-1].bias, 0.01)
    _, new_flows = bounded(feats, flows)
    # a small one passes almost unchanged: 0.5 * tanh(0.02)
    expected = 0.5 * torch.tanh(torch.tensor(0.02))
    assert torch.allclose(new_flows, torch.full_like(flows, expected.item()))
    with pytest.raises(ValueError, match='max_flow_update'):
        MODELS.build(
            dict(
                type='JFFRBlock', channels=4, num_frames=3, max_flow_update=0))


def test_net_refined_flow_equals_initial_flow_at_init():
    net = MODELS.build(tiny_cfg(channel_multipliers=(1, ), num_heads=(1, )))
    _, init_flows, flows = net(torch.rand(1, 3, 3, 20, 20), return_flows=True)
    assert torch.equal(flows, init_flows)


def test_precomputed_flows_give_the_same_output():
    net = MODELS.build(tiny_cfg()).eval()
    lqs = torch.rand(1, 3, 3, 16, 16)
    flows = net.compute_flows(lqs)
    assert torch.equal(net(lqs), net(lqs, flows=flows))
    with pytest.raises(ValueError, match='flows must have shape'):
        net(lqs, flows=flows[:, :1])


def test_flow_refinement_ablation_has_no_flow_head():
    net = MODELS.build(tiny_cfg(flow_refinement=False))
    assert not any('flow_head' in name for name, _ in net.named_parameters())
    assert net(torch.rand(1, 3, 3, 16, 16)).shape == (1, 3, 64, 64)


def test_gradients_reach_every_parameter_and_estimator_is_frozen():
    torch.manual_seed(0)
    net = MODELS.build(
        tiny_cfg(
            flow_estimator=dict(
                type='SPyNetFlowEstimator', pretrained='random')))
    net.train()
    assert not net.flow_estimator.training
    trainable = {n: p for n, p in net.named_parameters() if p.requires_grad}
    frozen = {
        n: p.detach().clone()
        for n, p in net.flow_estimator.named_parameters()
    }
    assert frozen and all(not p.requires_grad
                          for p in net.flow_estimator.parameters())
    optimizer = torch.optim.Adam(trainable.values(), lr=1e-2)
    lqs, gt = torch.rand(1, 3, 3, 16, 16), torch.rand(1, 3, 64, 64)
    # zero-initialised layers first: step 1 the attention projections, step
    # 2 the flow heads' output layers, step 3 everything
    for _ in range(3):
        optimizer.zero_grad()
        (net(lqs) - gt).abs().mean().backward()
        optimizer.step()
    missing = [
        n for n, p in trainable.items()
        if p.grad is None or not p.grad.abs().sum() > 0
    ]
    assert not missing
    for name, param in net.flow_estimator.named_parameters():
        assert torch.equal(param, frozen[name]), name


def test_bad_inputs_raise_clear_errors():
    net = MODELS.build(tiny_cfg())
    with pytest.raises(ValueError, match='3 frames'):
        net(torch.rand(1, 5, 3, 16, 16))
    with pytest.raises(ValueError, match='3 channels'):
        net(torch.rand(1, 3, 1, 16, 16))
    with pytest.raises(ValueError, match='floating-point'):
        net(torch.randint(0, 255, (1, 3, 3, 16, 16), dtype=torch.uint8))
    with pytest.raises(ValueError, match=r'\(n, t, c, h, w\)'):
        net(torch.rand(3, 3, 16, 16))
    with pytest.raises(ValueError, match='odd'):
        MODELS.build(tiny_cfg(num_frames=4))
    with pytest.raises(ValueError, match='upscale_factor'):
        MODELS.build(tiny_cfg(upscale_factor=3))
