# Copyright (c) mmjffra contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from mmengine.optim import OptimWrapper
from torch import nn

from mmjffra.models.editors.rvrt.rvrt import RVRT
from mmjffra.models.inference import (ClipRestorer, InferenceSpec,
                                      parse_test_cfg)


def build_model(scale=4, test_cfg=None, **gen_kwargs):
    generator = dict(
        type='RVRTNet',
        upscale_factor=scale,
        embed_dims=8,
        depths=(2, 1, 1),
        num_heads=(2, 2, 2),
        num_blocks=(1, 1, 1),
        window_size=(2, 4, 4),
        gda_heads=2,
        gda_groups=2,
        upsample_channels=8,
        flow_estimator=dict(type='DISFlowEstimator', preset='ultrafast'))
    generator.update(gen_kwargs)
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type='RVRT',
            generator=generator,
            pixel_loss=dict(type='CharbonnierLoss', loss_weight=1.0),
            train_cfg=dict(fix_iter=0),
            test_cfg=test_cfg,
            data_preprocessor=dict(
                type='DataPreprocessor',
                mean=[0., 0., 0.],
                std=[255., 255., 255.])))


def batch(t=4, h=8, w=12, scale=4, n=1, **meta):
    torch.manual_seed(1)
    data = dict(inputs=[], data_samples=[])
    for _ in range(n):
        data['inputs'].append(torch.rand(t, 3, h, w) * 255)
        ds = DataSample(gt_img=torch.rand(t, 3, h * scale, w * scale) * 255)
        ds.set_metainfo(meta)
        data['data_samples'].append(ds)
    return data


def test_train_step_keeps_the_flow_estimator_frozen():
    model = build_model()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    for _ in range(2):
        log_vars = model.train_step(batch(), optim)
    assert set(log_vars) == {'loss'} and torch.isfinite(log_vars['loss'])
    # MMagic's BasicVSR turns every gradient on at fix_iter; RVRT does not
    assert not any(p.requires_grad
                   for p in model.generator.flow_estimator.parameters())
    assert model.step_counter.item() == 2


def test_val_step_whole_sequence_and_noise_map():
    model = build_model().eval()
    out = model.val_step(batch(t=3))[0].output.pred_img
    assert out.shape == (3, 3, 32, 48)
    denoiser = build_model(scale=1, with_noise_map=True)
    optim = OptimWrapper(torch.optim.Adam(denoiser.parameters(), lr=1e-3))
    denoiser.train_step(batch(scale=1, noise_sigma=30.), optim)
    with pytest.raises(ValueError, match='noise_sigma'):
        denoiser.train_step(batch(scale=1), optim)


class PointwiseUp(nn.Module):
    """Output of a pixel depends on that input pixel and frame only."""
    inference_spec = InferenceSpec('sequence', 2)

    def forward(self, x):
        n, t = x.shape[:2]
        up = F.interpolate(x.flatten(0, 1)**2, scale_factor=2)
        return up.view(n, t, *up.shape[1:])


@pytest.mark.parametrize('cfg', [
    dict(chunk=3, chunk_overlap=1, tile=(5, 6), tile_overlap=2),
    dict(tile=(4, 13), tile_overlap=(3, 0)),
    dict(chunk=2, tile=(11, 7), tile_overlap=(0, 4)),
])
def test_chunks_and_tiles_blend_back_to_the_whole_output(cfg):
    x = torch.rand(1, 7, 3, 11, 13)
    whole = PointwiseUp()(x)
    options = parse_test_cfg(cfg, RVRT.test_cfg_keys)
    tiled = ClipRestorer(PointwiseUp(), **options).restore(x)
    assert torch.allclose(tiled, whole, atol=1e-6)


def test_tiled_testing_of_rvrt():
    x = torch.rand(1, 5, 3, 12, 16)
    model = build_model().eval()

    def set_cfg(**cfg):
        model.test_options = parse_test_cfg(cfg, RVRT.test_cfg_keys)

    with torch.no_grad():
        whole = model.forward_tensor(x)
        # chunks and tiles larger than the input: exactly the untiled result
        set_cfg(chunk=8, chunk_overlap=2, tile=20, tile_overlap=4)
        assert torch.equal(model.forward_tensor(x), whole)
        set_cfg(chunk=4, chunk_overlap=2, tile=8, tile_overlap=4)
        tiled = model.forward_tensor(x)
    assert tiled.shape == whole.shape
    # tiles see less context: close to, not equal to, the whole output
    assert 0 < (tiled - whole).abs().mean() < 0.1
    set_cfg(chunk=4, tile=8, tile_overlap=6)
    with pytest.raises(ValueError, match='tile - tile_overlap'):
        model.forward_tensor(x)
