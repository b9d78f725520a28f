# Copyright (c) mmjffra contributors. All rights reserved.
import numpy as np
import pytest
from mmagic.registry import TRANSFORMS
from skimage import data as skdata

from mmjffra.datasets.transforms import gaussian_kernel


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


def test_blur_downsample_known_values():
    kernel = gaussian_kernel(13, 1.6)
    assert kernel.sum() == pytest.approx(1.)
    assert kernel[6, 6] == kernel.max()
    t = TRANSFORMS.build(dict(type='BlurDownsample', scale=4))
    # a constant frame stays constant
    out = t(dict(gt=[np.full((16, 16, 3), 100, np.uint8)]))
    assert out['img'][0].shape == (4, 4, 3)
    assert (out['img'][0] == 100).all()
    # an impulse at a sampled position is attenuated by the kernel centre
    img = np.zeros((16, 16), np.float32)
    img[6, 6] = 1.
    low = t.degrade(img)
    assert low[1, 1] == pytest.approx(kernel[6, 6], rel=1e-5)
    assert low[1, 2] == pytest.approx(kernel[6, 2], rel=1e-5)
    with pytest.raises(ValueError, match='not divisible'):
        t.degrade(np.zeros((15, 16, 3), np.uint8))
    assert 'sigma=1.6' in repr(t)
