# Copyright (c) mmjffra contributors. All rights reserved.
"""Speed options and speed-ups of JFFRA give the results of the plain code."""
import pytest
import torch
import torch.nn.functional as F
from conftest import tiny_jffra_cfg
from mmagic.registry import MODELS
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from mmjffra.models.editors.jffra import FlowHead, l1_cost_volume
from mmjffra.models.editors.jffra.jffra_net import _Conv3d


def _tiny_net(**kwargs):
    cfg = tiny_jffra_cfg(window_size=4, search_radius=2, **kwargs)
    torch.manual_seed(0)
    net = MODELS.build(cfg).eval()
    with torch.no_grad():  # refined flows differ from the initial ones
        for m in net.modules():
            if isinstance(m, FlowHead):
                m.layers[-1].weight.normal_(0, 1e-2)
                m.layers[-1].bias.normal_(0, 1e-2)
    return net


@pytest.mark.parametrize('scale', [4, 1])
def test_channels_last_gives_the_default_output(scale):
    net = _tiny_net(upscale_factor=scale)
    assert net.channels_last is False
    lqs = torch.rand(1, 3, 3, 13, 18)  # not a multiple of the window
    flows = torch.randn(1, 2, 2, 13, 18)
    with torch.no_grad():
        ref, _, ref_flows = net(lqs, flows, return_flows=True)
        net.channels_last = True
        out, _, out_flows = net(lqs, flows, return_flows=True)
    assert out.is_contiguous()
    assert (out - ref).abs().max() < 1e-5
    assert (out_flows - ref_flows).abs().max() < 1e-5


def test_channels_last_option_from_config_trains():
    net = _tiny_net(channels_last=True).train()
    lqs = torch.rand(2, 3, 3, 8, 8)
    net(lqs, torch.zeros(2, 2, 2, 8, 8)).mean().backward()
    assert net.temporal_context[0].weight.grad is not None


def test_conv3d_takes_onednn_with_conv3d_results_and_gradients():
    torch.manual_seed(0)
    conv = _Conv3d(4, 6, 3, 1, 1)
    plain = nn.Conv3d(4, 6, 3, 1, 1)
    plain.load_state_dict(conv.state_dict())
    # batch 1, n*c*t*h <= 20480: PyTorch itself would take its slow kernel
    x = torch.rand(1, 4, 3, 9, 11, requires_grad=True)
    with torch.profiler.profile() as prof:
        out = conv(x)
    names = {e.name for e in prof.events()}
    if torch.backends.mkldnn.is_available():
        assert 'aten::mkldnn_convolution' in names
    ref = plain(x)
    assert (out - ref).abs().max() < 1e-5
    g_out = torch.autograd.grad(out.square().sum(), [x, conv.weight])
    g_ref = torch.autograd.grad(ref.square().sum(), [x, plain.weight])
    for a, b in zip(g_out, g_ref):
        assert (a - b).abs().max() < 1e-4


def test_conv3d_still_counted_by_the_flop_counter():
    conv = _Conv3d(2, 3, 3, 1, 1)
    with FlopCounterMode(display=False) as counter:
        conv(torch.rand(1, 2, 3, 4, 5))
    assert counter.get_total_flops() == 2 * 3 * 4 * 5 * 3 * 2 * 27


def test_cost_volume_of_channels_last_and_mixed_inputs():
    torch.manual_seed(0)
    ref, src = torch.rand(2, 5, 7, 9), torch.rand(2, 5, 7, 9)
    expected = l1_cost_volume(ref, src, 2)
    src_pad = F.pad(src, [2] * 4)
    naive = torch.stack(
        [(ref - src_pad[:, :, 2 + dy:9 + dy, 2 + dx:11 + dx]).abs().mean(1)
         for dy in range(-2, 3) for dx in range(-2, 3)], 1)
    assert (expected - naive).abs().max() < 1e-6
    cl = torch.channels_last
    for a, b in [(ref.contiguous(memory_format=cl), src),
                 (ref.contiguous(memory_format=cl),
                  src.contiguous(memory_format=cl))]:
        assert torch.equal(l1_cost_volume(a, b, 2), expected)
