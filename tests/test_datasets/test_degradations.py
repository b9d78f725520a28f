# Copyright (c) mmjffra contributors. All rights reserved.
import numpy as np
import pytest
from mmagic.registry import TRANSFORMS
from skimage import data as skdata


def clip(n=3):
    img = skdata.astronaut()[:64, :64]
    return [img.copy() for _ in range(n)]


def test_gaussian_noise_one_sigma_per_clip_in_range():
    t = TRANSFORMS.build(dict(type='AddGaussianNoise', sigma_range=(10, 20)))
    np.random.seed(0)
    for _ in range(5):
        frames = clip()
        out = t(dict(img=frames, key='a'))
        sigma = out['noise_sigma']
        assert 10 <= sigma <= 20
        for noisy, orig in zip(out['img'], frames):
            assert noisy.dtype == np.float32
            est = (noisy - orig).std()
            assert abs(est - sigma) < 0.05 * sigma
        assert not np.allclose(out['img'][0], out['img'][1])  # fresh noise


def test_gaussian_noise_fixed_sigma_and_seed_is_reproducible():
    cfg = dict(type='AddGaussianNoise', sigma=30, seed=0)
    a = TRANSFORMS.build(cfg)(dict(img=clip(), key='clip1'))
    b = TRANSFORMS.build(cfg)(dict(img=clip(), key='clip1'))
    c = TRANSFORMS.build(cfg)(dict(img=clip(), key='clip2'))
    assert a['noise_sigma'] == 30
    np.testing.assert_array_equal(a['img'][0], b['img'][0])
    assert not np.array_equal(a['img'][0], c['img'][0])
    assert 'sigma=30' in repr(TRANSFORMS.build(cfg))


def test_gaussian_noise_errors():
    with pytest.raises(ValueError, match='sigma_range'):
        TRANSFORMS.build(dict(type='AddGaussianNoise', sigma_range=(5, 1)))
    with pytest.raises(ValueError, match='sigma'):
        TRANSFORMS.build(dict(type='AddGaussianNoise', sigma=-1))
