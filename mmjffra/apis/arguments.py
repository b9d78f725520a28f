# Copyright (c) mmjffra contributors. All rights reserved.
"""The arguments of a restoration, checked before a model is built.

Errors name the parameter of :class:`mmjffra.apis.VideoRestorer` (in their
``argument``), so that a command line can name its own option.
"""
from typing import Optional, Union

import torch
from mmengine.config import Config

from mmjffra.errors import ArgumentError, ConfigError, UnknownConfigKeyError
from mmjffra.models.inference import check_test_cfg, check_tile


def check_integer(value, name: str, low: int) -> None:
    """Refuse what is not an integer of at least ``low``.

    Raises:
        ArgumentError: Naming the parameter ``name`` and the value.
    """
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ArgumentError(
            f'{name} must be an integer >= {low}, got {value!r}', name)


def check_restorer_args(config: Config,
                        tile: Optional[int] = None,
                        tile_overlap: int = 32,
                        noise_sigma: Optional[float] = None,
                        chunk: int = 20,
                        chunk_overlap: int = 5,
                        max_windows: Optional[Union[int, str]] = None) -> None:
    """Check :class:`VideoRestorer`'s arguments against their documented
    ranges and the model of ``config``, before it is built.

    Args:
        config (Config): The model's config.
        tile, tile_overlap, noise_sigma, chunk, chunk_overlap, max_windows:
            As :class:`VideoRestorer` takes them.

    Raises:
        ArgumentError: The argument, its range and the value given.
        ConfigError: An unknown key under ``model.test_cfg``.
    """
    try:
        check_test_cfg(config.model)
    except UnknownConfigKeyError as err:
        raise ConfigError(str(err)) from err
    if tile is not None:
        check_integer(tile, 'tile', 1)
        check_integer(tile_overlap, 'tile_overlap', 0)
        try:
            check_tile(tile, tile_overlap)
        except ValueError as err:
            raise ArgumentError(str(err), 'tile_overlap') from err
    check_integer(chunk, 'chunk', 1)
    check_integer(chunk_overlap, 'chunk_overlap', 0)
    configured_max_windows(config, max_windows)
    denoiser = bool(config.model.get('generator', {}).get('with_noise_map'))
    if noise_sigma is not None:
        if not denoiser:
            raise ArgumentError(
                'this model takes no noise level (noise_sigma): it is not '
                'a non-blind denoiser (with_noise_map)', 'noise_sigma')
        if not 0 <= noise_sigma <= 255:
            raise ArgumentError(
                'the noise level (noise_sigma) is on the 0-255 scale, got '
                f'{noise_sigma}', 'noise_sigma')
    elif denoiser:
        raise ArgumentError(
            'this model denoises with a noise-level map: give the noise '
            'level (noise_sigma, 0-255)', 'noise_sigma')


def configured_max_windows(
        config: Config,
        max_windows: Optional[Union[int, str]] = None) -> Union[int, str]:
    """Windows per forward: ``max_windows`` if given, else the config's
    ``model.test_cfg.max_windows_per_forward`` (``tools/test.py``'s key),
    else 1.

    Raises:
        ArgumentError: Neither a positive integer nor ``'auto'``.
    """
    if max_windows is None:
        max_windows = (config.model.get('test_cfg')
                       or {}).get('max_windows_per_forward', 1)
    if max_windows != 'auto' and (not isinstance(max_windows, int)
                                  or isinstance(max_windows, bool)
                                  or max_windows < 1):
        raise ArgumentError(
            'max_windows must be an integer >= 1 or "auto", got '
            f'{max_windows!r}', 'max_windows')
    return max_windows


def parse_max_windows(text: Optional[str]) -> Optional[Union[int, str]]:
    """Windows per forward as a command line gives them (text): an integer
    where the text is one, else the text unchanged (``None``, ``'auto'``, or
    what :func:`configured_max_windows` refuses)."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return text


def parse_device(device: Union[str, torch.device]) -> torch.device:
    """``'cpu'``, ``'cuda'`` or ``'cuda:N'``, checked against the machine.

    Raises:
        ArgumentError: An unknown device, or one this machine lacks.
    """
    try:
        parsed = torch.device(device)
    except RuntimeError as err:
        raise ArgumentError(f'unknown device {device!r}: {err}') from err
    if parsed.type == 'cuda':
        if not torch.cuda.is_available():
            raise ArgumentError(
                f'device {device} asked, but CUDA is not available', 'device')
        count = torch.cuda.device_count()
        if parsed.index is not None and parsed.index >= count:
            raise ArgumentError(
                f'device {device} asked, but this machine has {count} '
                'GPU(s)', 'device')
    elif parsed.type != 'cpu':
        raise ArgumentError(
            f'device must be cpu, cuda or cuda:N, got {device!r}', 'device')
    return parsed
