# Copyright (c) mmjffra contributors. All rights reserved.
"""JFFRA's configurable variants, each against a known equivalence."""
import pytest
import torch
import torch.nn.functional as F
from mmagic.registry import MODELS
from mmagic.structures import DataSample

from mmjffra.models.editors.jffra import JFFRANet, JFFRBlock, WindowAttention


def test_relative_position_bias_zero_is_plain_attention_and_biases_logits():
    torch.manual_seed(0)
    plain = WindowAttention(8, 2, 4)
    biased = WindowAttention(8, 2, 4, relative_position_bias=True)
    biased.load_state_dict(plain.state_dict(), strict=False)
    x = torch.rand(1, 8, 6, 7)  # padded to 8x8: masks and bias together
    with torch.no_grad():
        biased.relative_position_bias_table.zero_()
        assert torch.allclose(biased(x), plain(x), atol=1e-6)
        # a huge bias on offset (0, 0): every token attends to itself only
        centre = (2 * 4 - 1) * (4 - 1) + (4 - 1)
        biased.relative_position_bias_table[centre] = 1e3
        out = biased(x)
    tokens = x.permute(0, 2, 3, 1)
    v = F.linear(tokens, biased.qkv.weight[16:], biased.qkv.bias[16:])
    expected = biased.proj(v).permute(0, 3, 1, 2)
    assert torch.allclose(out, expected, atol=1e-4)


def test_alignments_without_flow():
    torch.manual_seed(0)
    feats, flows = torch.rand(2, 3, 8, 8, 8), torch.rand(2, 2, 2, 8, 8) * 3
    none = JFFRBlock(8, 3, 1, 4, flow_refinement=False, alignment='none')
    warp0 = JFFRBlock(8, 3, 1, 4, flow_refinement=False)
    warp0.load_state_dict(none.state_dict())
    offset = JFFRBlock(
        8, 3, 1, 4, flow_refinement=False, alignment='learned_offset')
    offset.load_state_dict(none.state_dict(), strict=False)
    with torch.no_grad():
        out_none, flows_none = none(feats, flows)
        # no warping == warping by zero flow
        ref, _ = warp0(feats, torch.zeros_like(flows))
        # the learned offset starts at zero
        out_offset, _ = offset(feats, flows)
    assert torch.allclose(out_none, ref, atol=1e-5)
    assert torch.allclose(out_offset, ref, atol=1e-5)
    assert torch.equal(flows_none, flows)  # flows pass through
    with pytest.raises(ValueError, match='flow_refinement=False'):
        JFFRBlock(8, 3, alignment='none')
    with pytest.raises(ValueError, match='alignment must be'):
        JFFRBlock(8, 3, flow_refinement=False, alignment='deform')


def net(**kwargs):
    torch.manual_seed(0)
    return JFFRANet(
        mid_channels=8,
        channel_multipliers=(1, 2),
        num_heads=(1, 1),
        num_reconstruction_blocks=1,
        window_size=4,
        flow_refinement=False,
        **kwargs).eval()


def test_flow_skip_keeps_the_encoders_full_resolution_flows():
    lqs = torch.rand(1, 3, 3, 16, 16)
    flows = torch.rand(1, 2, 2, 16, 16) * 2
    with torch.no_grad():
        # without refinement nothing changes the flows: with the skip the
        # decoder gets them back exactly, without it down- and upsampled
        _, _, skipped = net(flow_skip=True)(lqs, flows, return_flows=True)
        _, _, resampled = net()(lqs, flows, return_flows=True)
    assert torch.allclose(skipped, flows, atol=1e-6)
    assert (resampled - flows).abs().max() > 1e-2


def test_reconstruction_channels():
    default = net()
    wide = net(reconstruction_channels=64)
    # default checkpoints keep their keys
    assert not any(
        k.startswith('reconstruction_in') for k in default.state_dict())
    assert wide.reconstruction_in.out_channels == 64
    assert wide.conv_last[0].in_channels == 64
    out = wide(torch.rand(1, 3, 3, 8, 8))
    assert out.shape == (1, 3, 32, 32)


def test_pixel_loss_on_all_three_windows():
    cfg = dict(
        type='JFFRA',
        generator=dict(
            type='JFFRANet',
            mid_channels=8,
            channel_multipliers=(1, ),
            num_heads=(1, ),
            num_reconstruction_blocks=1,
            flow_estimator=dict(type='DISFlowEstimator')),
        pixel_loss=dict(type='L1Loss', loss_weight=1.0),
        temporal_loss=dict(type='OcclusionAwareTemporalLoss'),
        train_cfg=dict(pixel_loss_frames='all'))
    model = MODELS.build(cfg)
    torch.manual_seed(0)
    inputs = torch.rand(1, 5, 3, 8, 8)
    gt = torch.rand(1, 5, 3, 32, 32)
    losses = model.forward_train(inputs, DataSample(gt_img=gt))
    with torch.no_grad():
        outs = [model.generator(inputs[:, i:i + 3]) for i in range(3)]
    expected = sum(
        (o - gt[:, i + 1]).abs().mean() for i, o in enumerate(outs)) / 3
    assert torch.allclose(losses['loss_pix'], expected, atol=1e-5)
    with pytest.raises(ValueError, match='pixel_loss_frames'):
        MODELS.build(dict(cfg, train_cfg=dict(pixel_loss_frames='some')))
