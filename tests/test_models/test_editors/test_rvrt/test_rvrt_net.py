# Copyright (c) mmjffra contributors. All rights reserved.
import pytest
import torch
from mmagic.registry import MODELS

from mmjffra.models.editors.rvrt import chain_clip_flows


def build_net(**kwargs):
    cfg = dict(
        type='RVRTNet',
        embed_dims=8,
        depths=(2, 1, 1),
        num_heads=(2, 2, 2),
        num_blocks=(1, 1, 1),
        window_size=(2, 4, 4),
        gda_heads=2,
        gda_groups=2,
        upsample_channels=8,
        flow_estimator=dict(type='DISFlowEstimator', preset='ultrafast'))
    cfg.update(kwargs)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def test_chain_clip_flows_adds_up_a_constant_motion():
    h, w = 12, 14
    step = torch.tensor([1., -0.5]).view(1, 1, 2, 1, 1)
    adjacent = step.expand(1, 5, 2, h, w).clone()  # frame i+1 -> i
    flows = chain_clip_flows(adjacent, clip=1, clip_size=3)
    assert flows.shape == (1, 3, 3, 2, h, w)
    inner = flows[..., 4:-4, 4:-4]
    for i in range(3):
        for j in range(3):
            dist = 3 + i - j  # frame 3+i to frame j
            expected = (dist * step[0, 0]).expand_as(inner[0, i, j])
            assert torch.allclose(inner[0, i, j], expected), (i, j)


@pytest.mark.parametrize('t,clip', [(1, 2), (3, 2), (4, 2), (5, 3), (3, 1)])
def test_output_shapes_for_any_clip_length(t, clip):
    net = build_net(clip_size=clip, window_size=(clip, 4, 4)).eval()
    with torch.no_grad():
        out = net(torch.rand(1, t, 3, 10, 13))
    assert out.shape == (1, t, 3, 40, 52)


def test_padded_frames_are_cropped_exactly():
    net = build_net().eval()
    x = torch.rand(1, 5, 3, 9, 12)
    with torch.no_grad():
        out = net(x)
        explicit = net(x[:, [0, 1, 2, 3, 4, 4]])
    assert torch.equal(out, explicit[:, :5])


def test_denoising_net_with_noise_map_any_size():
    net = build_net(upscale_factor=1, with_noise_map=True).eval()
    with torch.no_grad():
        out = net(torch.rand(2, 3, 4, 18, 21))
    assert out.shape == (2, 3, 3, 18, 21)
    with pytest.raises(ValueError, match=r'4 input channels.*\(2, 3, 3'):
        net(torch.rand(2, 3, 3, 18, 21))
    with pytest.raises(ValueError, match=r'\(n, t, c, h, w\).*\(3, 4, 18'):
        net(torch.rand(3, 4, 18, 21))


def test_information_flows_forward_and_backward_across_clips():
    net = build_net().eval()
    x = torch.rand(1, 6, 3, 8, 8)
    with torch.no_grad():
        out = net(x)
        last_changed = x.clone()
        last_changed[:, -1] = torch.rand(3, 8, 8)
        first_changed = x.clone()
        first_changed[:, 0] = torch.rand(3, 8, 8)
        out_last = net(last_changed)
        out_first = net(first_changed)
    # frames 0 and 5 are in different clips: only the recurrence links them
    assert (out_last[:, 0] - out[:, 0]).abs().max() > 1e-6
    assert (out_first[:, 5] - out[:, 5]).abs().max() > 1e-6


def test_clip_size_t_is_a_transformer_without_flows(monkeypatch):
    calls = []
    net = build_net(clip_size=4, window_size=(4, 4, 4)).eval()
    original = net.flow_estimator.forward
    monkeypatch.setattr(net.flow_estimator, 'forward',
                        lambda *a: calls.append(a[0].shape) or original(*a))
    with torch.no_grad():
        net(torch.rand(1, 4, 3, 8, 8))
    assert calls == []
    recurrent = build_net(clip_size=1, window_size=(1, 4, 4)).eval()
    original_r = recurrent.flow_estimator.forward
    monkeypatch.setattr(recurrent.flow_estimator, 'forward',
                        lambda *a: calls.append(a[0].shape) or original_r(*a))
    with torch.no_grad():
        recurrent(torch.rand(1, 4, 3, 8, 8))
    # one batched call per direction over the 3 neighbouring pairs
    assert calls == [torch.Size([3, 3, 8, 8])] * 2


def test_gradients_reach_every_trainable_parameter():
    net = build_net()
    estimator = {
        k: v.clone()
        for k, v in net.flow_estimator.state_dict().items()
    }
    optim = torch.optim.Adam([p for p in net.parameters() if p.requires_grad],
                             lr=1e-3)
    x, gt = torch.rand(1, 4, 3, 8, 8), torch.rand(1, 4, 3, 32, 32)
    for _ in range(2):  # the zero-init offset layers open after one step
        optim.zero_grad()
        (net(x) - gt).abs().mean().backward()
        optim.step()
    missing = [
        k for k, p in net.named_parameters()
        if p.requires_grad and (p.grad is None or p.grad.abs().sum() == 0)
    ]
    assert missing == []
    assert not any(p.requires_grad for p in net.flow_estimator.parameters())
    for k, v in net.flow_estimator.state_dict().items():
        assert torch.equal(v, estimator[k])


def test_default_sizes_are_the_released_reds_model():
    net = MODELS.build(
        dict(
            type='RVRTNet',
            flow_estimator=dict(
                type='SPyNetFlowEstimator', pretrained='random')))
    assert sum(p.numel() for p in net.parameters()) == 10_782_295
    assert sum(p.numel() for p in net.flow_estimator.parameters()) == 1_440_300
