# Copyright (c) mmjffra contributors. All rights reserved.
import math

import pytest
import torch
from mmagic.registry import MODELS
from skimage import data as skdata
from skimage.transform import resize

from mmjffra.models.losses import occlusion_mask


def real_frame(size=(64, 80)):
    img = resize(skdata.chelsea(), size, anti_aliasing=True)
    return torch.from_numpy(img).permute(2, 0, 1)[None].float()


def build(**kwargs):
    cfg = dict(type='OcclusionAwareTemporalLoss', loss_weight=1.0)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_occlusion_mask_known_values():
    a = torch.zeros(1, 3, 2, 2)
    b = torch.zeros(1, 3, 2, 2)
    b[..., 0, 0] = 1 / 255.  # one grey level in each of 3 channels
    mask = occlusion_mask(a, b, alpha=0.2, value_range=255.)
    assert mask.shape == (1, 1, 2, 2)
    assert mask[0, 0, 0, 0].item() == pytest.approx(math.exp(-0.2 * 3))
    assert torch.equal(mask[0, 0, 1], torch.ones(2))


def test_zero_for_static_clip_restored_perfectly():
    loss = build()
    frame = real_frame()
    value = loss(frame, frame.clone(), frame.clone(), frame.clone())
    assert value.item() == pytest.approx(0., abs=1e-6)


def test_positive_for_flicker_in_static_clip():
    loss = build(loss_weight=0.5)
    frame = real_frame()
    value = loss(frame + 0.1, frame, frame, frame.clone())
    # static background: mask 1 everywhere, |diff| = 0.1
    assert value.item() == pytest.approx(0.5 * 0.1, rel=1e-3)


def test_mask_near_zero_where_region_is_occluded():
    loss = build()
    ref = real_frame()
    nbr = ref.clone()
    ref[..., 20:40, 30:50] = torch.tensor([1., 0., 0.]).view(1, 3, 1, 1)
    mask, _ = loss.mask_and_flow(ref, nbr)
    assert mask[..., 24:36, 34:46].max() < 0.01
    assert mask[..., :12, :].mean() > 0.8


def test_reductions_and_errors():
    frame = real_frame()
    none = build(reduction='none')(frame + 0.1, frame, frame, frame)
    assert none.shape == frame.shape
    total = build(reduction='sum')(frame + 0.1, frame, frame, frame)
    assert total.item() == pytest.approx(none.sum().item(), rel=1e-5)
    with pytest.raises(ValueError, match='reduction'):
        build(reduction='max')
    with pytest.raises(ValueError, match='one shape'):
        build()(frame, frame[..., :10], frame, frame)
