# Copyright (c) mmjffra contributors. All rights reserved.
import pytest
import torch
from conftest import REPO, tiny_jffra_cfg
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from mmengine.optim import OptimWrapper

from mmjffra.models.inference import window_indices as temporal_indices


def build_model(temporal=True, scale=4, **gen_kwargs):
    generator = dict(
        type='JFFRANet',
        mid_channels=8,
        channel_multipliers=(1, ),
        num_heads=(1, ),
        num_reconstruction_blocks=1,
        upscale_factor=scale,
        flow_estimator=dict(type='DISFlowEstimator', preset='ultrafast'))
    generator.update(gen_kwargs)
    cfg = dict(
        type='JFFRA',
        generator=generator,
        pixel_loss=dict(type='L1Loss', loss_weight=1.0),
        temporal_loss=dict(
            type='OcclusionAwareTemporalLoss',
            flow_estimator=dict(type='DISFlowEstimator', preset='ultrafast'))
        if temporal else None,
        data_preprocessor=dict(
            type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255.,
                                                             255.]))
    return MODELS.build(cfg)


def batch(t=5, h=12, w=16, scale=4, n=2, **meta):
    torch.manual_seed(0)
    data = dict(inputs=[], data_samples=[])
    for _ in range(n):
        data['inputs'].append(torch.rand(t, 3, h, w) * 255)
        ds = DataSample(gt_img=torch.rand(t, 3, h * scale, w * scale) * 255)
        ds.set_metainfo(meta)
        data['data_samples'].append(ds)
    return data


def test_temporal_indices():
    assert temporal_indices(5, 0, 1) == [1, 0, 1]
    assert temporal_indices(5, 4, 1) == [3, 4, 3]
    assert temporal_indices(5, 2, 2) == [0, 1, 2, 3, 4]
    assert temporal_indices(5, 0, 1, 'replicate') == [0, 0, 1]
    assert temporal_indices(5, 0, 2, 'replicate') == [0, 0, 0, 1, 2]
    assert temporal_indices(1, 0, 1) == [0, 0, 0]
    with pytest.raises(ValueError, match='padding'):
        temporal_indices(5, 0, 1, 'zeros')


def test_train_step_losses_and_update():
    model = build_model()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    data = batch()
    # the pixel loss is the L1 of the centre frame restored from frames 1-3
    processed = model.data_preprocessor(data, True)
    with torch.no_grad():
        centre = model.generator(processed['inputs'][:, 1:4])
    expected = (centre - processed['data_samples'].gt_img[:, 2]).abs().mean()
    before = [p.detach().clone() for p in model.generator.parameters()]
    log_vars = {k: float(v) for k, v in model.train_step(data, optim).items()}
    assert set(log_vars) == {
        'loss', 'loss_pix', 'loss_temporal_prev', 'loss_temporal_next'
    }
    assert log_vars['loss_pix'] == pytest.approx(expected.item(), rel=1e-5)
    assert log_vars['loss'] == pytest.approx(
        log_vars['loss_pix'] + log_vars['loss_temporal_prev'] +
        log_vars['loss_temporal_next'],
        rel=1e-5)
    assert 'step_counter' not in model.state_dict()  # nothing reads it
    after = list(model.generator.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after))
    frozen = model.generator.flow_estimator
    assert not frozen.training


def test_train_needs_2n_plus_3_frames_with_temporal_loss():
    model = build_model()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    with pytest.raises(ValueError, match='num_input_frames'):
        model.train_step(batch(t=3), optim)
    # without the temporal loss a 2N+1 sample is enough
    plain = build_model(temporal=False)
    optim = OptimWrapper(torch.optim.Adam(plain.parameters(), lr=1e-3))
    assert set(plain.train_step(batch(t=3), optim)) == {'loss', 'loss_pix'}


def test_sliding_window_restores_every_frame():
    model = build_model(scale=1).eval()
    lqs = torch.rand(1, 4, 3, 12, 16)
    out = model(lqs, mode='tensor')
    assert out.shape == (1, 4, 3, 12, 16)
    for i in range(4):
        window = lqs[:, temporal_indices(4, i, 1)]
        assert torch.allclose(out[:, i], model.generator(window), atol=1e-6)
    model.max_windows_per_forward = 3  # batching windows changes nothing
    assert torch.allclose(model(lqs, mode='tensor'), out, atol=1e-5)


def test_output_equals_the_saved_reference():
    """Restoring a clip gives what the code gave before the redesign.

    ``tests/data/jffra_tiny_reference.pth`` holds weights (perturbed, so
    that no zero-initialised layer hides a change), a 5-frame clip and the
    output ``restore_frames`` gave with the code of commit 6cbc60b (oneDNN
    Conv3d call, flow-pair cache), before the temporal context became
    ``FrameStackConv3d`` and the cache was removed.
    """
    ref = torch.load(
        REPO / 'tests/data/jffra_tiny_reference.pth', weights_only=True)
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='JFFRA',
            generator=tiny_jffra_cfg(window_size=4, search_radius=2),
            pixel_loss=dict(type='L1Loss'),
            test_cfg=dict(max_windows_per_forward=2))).eval()
    # the old code kept a step counter that nothing read (removed since)
    state = {k: v for k, v in ref['state_dict'].items() if k != 'step_counter'}
    model.load_state_dict(state, strict=True)
    with torch.no_grad():
        out = model.restore_frames(ref['lqs'])
    torch.testing.assert_close(out, ref['out'], rtol=1e-5, atol=1e-5)


def test_val_step_returns_whole_sequence_or_centre_frame():
    model = build_model().eval()
    outputs = model.val_step(batch(t=4, n=1))
    assert outputs[0].output.pred_img.shape == (4, 3, 48, 64)
    single = batch(t=3, n=1)
    single['data_samples'][0].gt_img = torch.rand(3, 48, 64) * 255
    outputs = model.val_step(single)
    assert outputs[0].output.pred_img.shape == (3, 48, 64)
    # MMagic's Vimeo-90K-T pipeline mirror-extends the 7 frames
    frames = torch.rand(7, 3, 12, 16) * 255
    mirrored = dict(
        inputs=[torch.cat([frames, frames.flip(0)])],
        data_samples=[DataSample(gt_img=torch.rand(3, 48, 64) * 255)])
    plain = dict(
        inputs=[frames],
        data_samples=[DataSample(gt_img=torch.rand(3, 48, 64) * 255)])
    assert torch.allclose(
        model.val_step(mirrored)[0].output.pred_img,
        model.val_step(plain)[0].output.pred_img)


def test_noise_map_from_metainfo():
    model = build_model(scale=1, with_noise_map=True)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    log_vars = model.train_step(batch(scale=1, noise_sigma=25.), optim)
    assert 'loss_pix' in log_vars
    inputs = torch.rand(2, 3, 3, 8, 8)
    samples = DataSample()
    samples.set_metainfo(dict(noise_sigma=[25., 50.]))
    with_map = model.add_noise_map(inputs, samples)
    assert with_map.shape == (2, 3, 4, 8, 8)
    assert torch.allclose(with_map[0, :, 3], torch.full((3, 8, 8), 25 / 255))
    assert torch.allclose(with_map[1, :, 3], torch.full((3, 8, 8), 50 / 255))
    with pytest.raises(ValueError, match='noise_sigma'):
        model.add_noise_map(inputs, DataSample())
