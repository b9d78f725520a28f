# Copyright (c) mmjffra contributors. All rights reserved.
"""The noise-level map of non-blind video denoising (as VRT and RVRT).

The noise level enters the network as one more input channel, constant
``sigma / 255`` over each frame. The model wrappers take ``sigma`` from the
data samples (:func:`append_noise_map`), ``VideoRestorer`` from the user
(:func:`noise_level_map`).
"""
from typing import Optional, Sequence, Union

import torch
from mmagic.structures import DataSample
from torch import Tensor, nn


def noise_level_map(inputs: Tensor, sigma: Union[float, Sequence[float],
                                                 Tensor]) -> Tensor:
    """Append a constant channel ``sigma / 255`` to frames (n, t, c, h, w).

    Args:
        inputs (Tensor): Frames (n, t, c, h, w).
        sigma (float | sequence | Tensor): Noise level(s) on the 0-255
            scale: one for the batch or one per sample.

    Returns:
        Tensor: Frames (n, t, c + 1, h, w).
    """
    n, t, _, h, w = inputs.shape
    sigma = torch.as_tensor(
        sigma, dtype=inputs.dtype, device=inputs.device).reshape(-1)
    if sigma.numel() not in (1, n):
        raise ValueError(f'{sigma.numel()} noise levels for a batch of {n}')
    sigma = sigma.expand(n) if sigma.numel() == 1 else sigma
    noise_map = (sigma / 255.).view(n, 1, 1, 1, 1).expand(n, t, 1, h, w)
    return torch.cat([inputs, noise_map], dim=2)


def append_noise_map(generator: nn.Module, inputs: Tensor,
                     data_samples: Optional[DataSample]) -> Tensor:
    """Append the noise-level map for non-blind denoising.

    When ``generator`` takes a noise map (``with_noise_map``) and the
    inputs hold only the image channels (``generator.in_channels``), a
    constant channel ``noise_sigma / 255`` per frame is appended;
    ``noise_sigma`` (0-255 scale) comes from the data samples' metainfo,
    where ``AddGaussianNoise`` and ``PackInputs(meta_keys=['noise_sigma'])``
    put it.

    Args:
        generator (nn.Module): The restoration network.
        inputs (Tensor): LQ frames (n, t, c, h, w).
        data_samples (DataSample, optional): Batched data samples.

    Returns:
        Tensor: Inputs with the map channel where one is needed.
    """
    gen = generator
    if not getattr(gen, 'with_noise_map', False) or \
            inputs.size(2) != gen.in_channels:
        return inputs
    sigma = None if data_samples is None else \
        data_samples.metainfo.get('noise_sigma', None)
    if sigma is None:
        raise ValueError(
            'the generator takes a noise-level map but the data samples '
            "carry no 'noise_sigma': add AddGaussianNoise and "
            "PackInputs(meta_keys=['noise_sigma']) to the pipeline")
    return noise_level_map(inputs, sigma)
