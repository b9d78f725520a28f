# Copyright (c) mmjffra contributors. All rights reserved.
"""An untrained JFFRANet restores close to its base image.

Every residual branch of the network starts near zero (``residual_init``):
untrained, the output is the bilinearly upsampled centre frame (x4) or the
centre frame itself (x1) plus a small residual. With PyTorch's default
init (``residual_init='default'``) the attention residuals start 1.5-4x the
features they are added to and the untrained network restores 1-5 dB below
its base; training then stays flat for its first ~160 iterations at the
paper's size (``projects/jffra_study/tools/jffra_init_check.py``).
"""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmagic.evaluation.metrics.psnr import psnr
from mmagic.registry import MODELS
from mmengine import Config

from mmjffra.models.editors.jffra.jffra_net import JFFRANet

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))))
PRESETS = [
    'configs/_base_/models/jffra_small.py',
    'configs/_base_/models/jffra_paper.py'
]
CONFIGS = PRESETS + sorted(
    p for p in glob.glob(
        osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p and 'jffra' in osp.basename(p))
# the bound of the test: PSNR-Y of the untrained output at most this far
# below that of its base (dB), on real frames, for every seed
MARGIN_DB = 0.3


def psnr_y(img, ref):
    """MMagic's PSNR on the Y channel of two (3, h, w) RGB tensors in
    [0, 1] (the output clipped to [0, 1], as the metric sees it)."""
    return psnr(
        img.clamp(0, 1).numpy() * 255,
        ref.numpy() * 255,
        input_order='CHW',
        convert_to='Y')


@pytest.fixture(scope='module')
def real_window(demo_data):
    """Three consecutive real frames (GT 128x128 crop) of the demo clip."""
    gt_dir = sorted(glob.glob(osp.join(str(demo_data), 'GT', '*')))[0]
    names = sorted(glob.glob(osp.join(gt_dir, '*.png')))[40:43]
    frames = [cv2.imread(n)[8:136, 24:152, ::-1] for n in names]
    return torch.from_numpy(np.stack(frames).copy()).permute(0, 3, 1,
                                                             2).float() / 255


def generator_cfg(path, **options):
    cfg = Config.fromfile(osp.join(REPO, path)).model.generator.to_dict()
    # The initial flow only matters through the attention residuals, which
    # start at zero: a flow estimator that needs no weights stands in for
    # RAFT/SPyNet (their weights are not in CI).
    cfg['flow_estimator'] = dict(type='DISFlowEstimator', preset='ultrafast')
    cfg.update(options)
    return cfg


def degrade(gts, cfg):
    """Input frames (1, t, c, h, w) for the config's task, and the GT."""
    scale = cfg.get('upscale_factor', 4)
    if scale == 1:  # x1 tasks: a 64x64 crop (the paper preset is slow)
        gts = gts[..., 32:96, 32:96]
    if scale > 1:
        lqs = F.interpolate(
            gts, scale_factor=1 / scale, mode='bicubic', antialias=True)
    else:
        gen = torch.Generator().manual_seed(0)
        lqs = gts + 30 / 255 * torch.randn(gts.shape, generator=gen)
    if cfg.get('with_noise_map'):
        lqs = torch.cat([lqs, torch.full_like(lqs[:, :1], 30 / 255)], 1)
    return lqs.clamp(0, 1)[None]


def psnr_gap(cfg, gts, seed):
    """PSNR-Y of the untrained output minus that of its base."""
    torch.manual_seed(seed)
    net = MODELS.build(cfg).eval()
    net.init_weights()
    lqs = degrade(gts, cfg)
    with torch.no_grad():
        out = net(lqs)[0]
    centre = lqs[0, lqs.shape[1] // 2, :3]
    base = F.interpolate(
        centre[None],
        scale_factor=net.upscale_factor,
        mode='bilinear',
        align_corners=False)[0] if net.upscale_factor > 1 else centre
    gt = gts[gts.shape[0] // 2, :, :out.shape[-2], :out.shape[-1]]
    if net.upscale_factor == 1:
        gt = gts[gts.shape[0] // 2, :, 32:96, 32:96]
    return psnr_y(out, gt) - psnr_y(base, gt)


def unique_generators():
    """Every config's generator once: {generator repr: [config names]}."""
    found = {}
    for path in CONFIGS:
        cfg = generator_cfg(path)
        assert cfg['type'] == 'JFFRANet', path
        found.setdefault(repr(sorted(cfg.items())), []).append(path)
    return list(found.values())


@pytest.mark.parametrize(
    'paths',
    unique_generators(),
    ids=lambda paths: '+'.join(osp.basename(p)[:-3] for p in paths))
def test_untrained_network_restores_near_its_base(paths, real_window):
    cfg = generator_cfg(paths[0])
    gaps = [psnr_gap(cfg, real_window, seed) for seed in range(3)]
    assert min(gaps) > -MARGIN_DB, gaps


@pytest.mark.parametrize('path', PRESETS, ids=osp.basename)
def test_default_init_starts_far_below_its_base(path, real_window):
    """The check above can fail: PyTorch's init starts 0.5-5 dB below."""
    cfg = generator_cfg(path, residual_init='default')
    gaps = [psnr_gap(cfg, real_window, seed) for seed in range(3)]
    assert max(gaps) < -0.5 and min(gaps) < -MARGIN_DB, gaps


def test_residual_branches_start_at_zero():
    net = JFFRANet(
        mid_channels=8,
        channel_multipliers=(1, 2),
        num_heads=(1, 2),
        num_reconstruction_blocks=1)
    blocks = [level.jffr for level in [*net.encoder, *net.decoder]]
    for block in blocks:
        assert torch.count_nonzero(block.attn.proj.weight) == 0
        assert torch.count_nonzero(block.attn.proj.bias) == 0
    # the tail's last conv: MMagic's residual-block init (Kaiming x 0.1)
    last = net.conv_last[-1].weight
    expected_std = 0.1 * (2 / last[0].numel())**0.5
    assert abs(last.std().item() / expected_std - 1) < 0.15
    default = JFFRANet(
        mid_channels=8,
        channel_multipliers=(1, 2),
        num_heads=(1, 2),
        num_reconstruction_blocks=1,
        residual_init='default')
    assert torch.count_nonzero(default.encoder[0].jffr.attn.proj.weight) > 0
    # PyTorch's init: uniform(+-1/sqrt(fan_in)), std 1/sqrt(3 fan_in)
    assert abs(default.conv_last[-1].weight.std().item() /
               (3 * last[0].numel())**-0.5 - 1) < 0.15
