# Copyright (c) mmjffra contributors. All rights reserved.
"""Degradations of the JFFRA paper's training and test data."""
import zlib
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmagic.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


def bicubic_downsample(img: np.ndarray, scale: int) -> np.ndarray:
    """x``scale`` MATLAB-like bicubic downsampling of an ``(h, w, c)`` uint8
    image, as MMagic's BI datasets (``MATLABLikeResize``).

    Args:
        img (np.ndarray): Image, uint8, ``(h, w, c)``.
        scale (int): Downsampling factor; ``h`` and ``w`` must be multiples.

    Returns:
        np.ndarray: ``(h // scale, w // scale, c)`` uint8 image.
    """
    from mmagic.datasets.transforms import MATLABLikeResize
    h, w = img.shape[:2]
    if h % scale or w % scale:
        raise ValueError(f'image size {w}x{h} is not divisible by {scale}')
    resize = MATLABLikeResize(keys=['img'], scale=1 / scale)
    out = resize({'img': img.astype(np.float32)})['img']
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def _as_list(value) -> Tuple[List[np.ndarray], bool]:
    if isinstance(value, list):
        return value, True
    return [value], False


@TRANSFORMS.register_module()
class AddGaussianNoise(BaseTransform):
    """Additive white Gaussian noise, one sigma per clip.

    Synthetic video denoising (DAVIS, Set8) as in VRT and the JFFRA paper:
    for training, sigma is drawn uniformly from ``sigma_range`` once per clip
    (every frame of the clip gets the same sigma, fresh noise per frame); for
    testing, ``sigma`` is fixed and the noise is drawn from a generator
    seeded with ``seed`` and the clip's key, so that every run and every
    worker produce the same noisy clip. The noise is added in float and not
    clipped (as VRT and FastDVDnet), so the result is float32 on the 0-255
    scale.

    The sigma of the clip is stored in ``noise_sigma`` (0-255 scale); with
    ``PackInputs(meta_keys=['noise_sigma'])`` it reaches the model, which
    builds the noise-level map of non-blind denoising from it
    (``JFFRANet(with_noise_map=True)``).

    Required Keys:

    - [keys] (list[np.ndarray] or np.ndarray, 0-255)
    - key (only when ``seed`` is set)

    Modified Keys:

    - [keys] (float32)

    Added Keys:

    - noise_sigma (float)

    Args:
        keys (Sequence[str]): Keys of the frames to degrade. Default:
            ('img', ).
        sigma_range (tuple[float, float]): Range of sigma for training.
            Default: (0, 50).
        sigma (float, optional): Fixed sigma (testing); overrides
            ``sigma_range``. Default: None.
        seed (int, optional): Base seed for reproducible noise (testing).
            Default: None.
        clip (bool): Clip the result to [0, 255]. Default: False.
    """

    def __init__(self,
                 keys: Sequence[str] = ('img', ),
                 sigma_range: Tuple[float, float] = (0., 50.),
                 sigma: Optional[float] = None,
                 seed: Optional[int] = None,
                 clip: bool = False) -> None:
        if sigma is None and not 0 <= sigma_range[0] <= sigma_range[1]:
            raise ValueError('sigma_range must be (low, high) with 0 <= low '
                             f'<= high, got {sigma_range}')
        if sigma is not None and sigma < 0:
            raise ValueError(f'sigma must be >= 0, got {sigma}')
        self.keys = list(keys)
        self.sigma_range = tuple(sigma_range)
        self.sigma = sigma
        self.seed = seed
        self.clip = clip

    def _rng(self, results: dict) -> np.random.Generator:
        if self.seed is None:
            return np.random.default_rng(np.random.randint(2**31))
        key = str(results.get('key', ''))
        return np.random.default_rng([self.seed, zlib.crc32(key.encode())])

    def transform(self, results: dict) -> dict:
        """Add the noise.

        Args:
            results (dict): The data dict.

        Returns:
            dict: The data dict with noisy frames and ``noise_sigma``.
        """
        rng = self._rng(results)
        sigma = self.sigma if self.sigma is not None else float(
            rng.uniform(*self.sigma_range))
        for key in self.keys:
            frames, is_list = _as_list(results[key])
            noisy = []
            for frame in frames:
                out = frame.astype(np.float32) + rng.normal(
                    0., sigma, frame.shape).astype(np.float32)
                noisy.append(np.clip(out, 0, 255) if self.clip else out)
            results[key] = noisy if is_list else noisy[0]
        results['noise_sigma'] = sigma
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(keys={self.keys}, '
                f'sigma_range={self.sigma_range}, sigma={self.sigma}, '
                f'seed={self.seed}, clip={self.clip})')
