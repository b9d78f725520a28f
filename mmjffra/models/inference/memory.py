# Copyright (c) mmjffra contributors. All rights reserved.
"""Memory of a forward: the windows per forward that fit a GPU, and the
peak of a frame's restoration against the memory available.

:func:`fit_memory_model` measures two small forwards (the CUDA allocator's
peak, or on the CPU the process's peak resident set) and fits
:class:`MemoryModel`, bytes linear in the input pixels; a frame that would
not fit is refused before any work with the tile that fits
(:func:`check_frame_memory`).
"""
import ctypes
import math
from typing import Callable, NamedTuple, Optional, Tuple

import torch
from torch import Tensor, nn

from mmjffra.errors import ArgumentError


def auto_max_windows(generator: nn.Module,
                     sample: Tensor,
                     fraction: float = 0.7,
                     cap: int = 64) -> int:
    """Windows (or sequences) per forward that fit the free GPU memory.

    On CUDA one forward of ``sample`` (one window, or a short clip) measures
    its peak memory; the result is ``fraction`` of the free memory divided
    by it, between 1 and ``cap``. On the CPU: 1 (batching windows does not
    speed up the CPU kernels, measured in ``docs/``).
    """
    if sample.device.type != 'cuda':
        return 1
    with torch.no_grad():
        per_item = peak_bytes(lambda: generator(sample), sample.device)
    return windows_for_memory(
        available_bytes(sample.device), per_item, fraction, cap)


def windows_for_memory(free_bytes: int,
                       per_item_bytes: int,
                       fraction: float = 0.7,
                       cap: int = 64) -> int:
    """``fraction * free / per_item`` clamped to [1, cap]."""
    if per_item_bytes <= 0:
        return cap
    return int(max(1, min(cap, fraction * free_bytes // per_item_bytes)))


def _proc_kib(path: str, key: str) -> Optional[int]:
    """A ``key: N kB`` value of a /proc file, in bytes (None off Linux)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _release_freed_memory() -> None:
    """Give the heap's freed pages back to the system (glibc's
    ``malloc_trim``), so that the resident set counts live memory only and
    a probe cannot hide in pages an earlier computation freed."""
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


def available_bytes(device: torch.device) -> Optional[int]:
    """Memory a restoration can still take: the free memory of a CUDA
    device, or the host's ``MemAvailable`` (None where unknown)."""
    if device.type == 'cuda':
        return torch.cuda.mem_get_info(device)[0]
    return _proc_kib('/proc/meminfo', 'MemAvailable')


def peak_bytes(fn: Callable[[], object],
               device: torch.device,
               baseline: Optional[int] = None) -> Optional[int]:
    """The memory ``fn()`` adds at its peak: on CUDA the allocator's peak,
    on the CPU the process's peak resident set (``VmHWM``, reset through
    ``/proc/self/clear_refs``) above ``baseline`` (default: the resident
    set before the call). None where it cannot be measured."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        fn()
        torch.cuda.synchronize(device)
        return torch.cuda.max_memory_allocated(device) - before
    _release_freed_memory()
    before = _proc_kib('/proc/self/status', 'VmRSS')
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # the peak resident set := the resident set now
    except OSError:
        return None
    fn()
    peak = _proc_kib('/proc/self/status', 'VmHWM')
    if peak is None or before is None:
        return None
    return max(0, peak - (before if baseline is None else baseline))


class MemoryModel(NamedTuple):
    """Peak bytes of one forward as ``fixed + per_pixel * h * w`` of its
    input frames (fully convolutional networks and attention in fixed
    windows grow with the pixels)."""
    fixed: float
    per_pixel: float

    def bytes(self, h: int, w: int) -> float:
        return self.fixed + self.per_pixel * h * w

    def largest_side(self, budget: float) -> int:
        """The side of the largest square input that fits ``budget``."""
        if self.per_pixel <= 0:
            return 1 << 30
        return int(math.sqrt(max(0., budget - self.fixed) / self.per_pixel))


def fit_memory_model(run: Callable[[int], object], device: torch.device,
                     sides: Tuple[int, int]) -> Optional[MemoryModel]:
    """:class:`MemoryModel` of ``run(side)`` (one forward on square inputs
    of ``side`` pixels) from its peak at the two ``sides``."""
    baseline = None
    if device.type != 'cuda':
        _release_freed_memory()
        baseline = _proc_kib('/proc/self/status', 'VmRSS')
    peaks = []
    for side in sides:
        peak = peak_bytes(lambda: run(side), device, baseline)
        if peak is None:
            return None
        peaks.append(peak)
    a, b = (s * s for s in sides)
    per_pixel = max(0., (peaks[1] - peaks[0]) / (b - a))
    return MemoryModel(max(0., peaks[0] - per_pixel * a), per_pixel)


def check_frame_memory(clip, frame: Tensor) -> None:
    """Refuse frames whose restoration would not fit the memory left.

    Two small forwards (once per restorer) measure the network's peak
    memory (:func:`fit_memory_model`: linear in the pixels), extrapolated
    to this frame size (its tile, if tiled) and the frames of one forward,
    plus the blended output of a tiled frame. A frame is refused when that
    exceeds the memory available; the tile suggested fits 70% of it.
    Frames no larger than the probes, and devices whose memory cannot
    be measured, are not checked.

    Args:
        clip (ClipRestorer): The restoration (network, tiles, windows or
            chunks per forward).
        frame (Tensor): The stream's first frame (1, c, h, w), normalised
            as the network takes it.

    Raises:
        ArgumentError: (``tile``) Naming the frame size, the memory it
            needs, what is available and the ``tile`` that fits.
    """
    spec = clip.spec
    h, w = frame.shape[-2:]
    m = max(spec.spatial_multiple, spec.input_multiple, 1)
    probe = max(64, spec.min_size)
    probe += -probe % m
    if h * w <= (2 * probe)**2:
        return
    # one forward: a window (its per-pixel part times the windows
    # batched), or a chunk of ``outputs`` frames, probed with 2 and 4 frames
    # (a chunk's memory grows with its frames; a frame's own buffers do not)
    if spec.temporal == 'window':
        outputs, counts = clip.max_windows, (spec.num_frames, )
    else:
        # (a whole clip, chunk None, of unknown length: as 20 frames)
        outputs, counts = (clip.chunk or 20) + 2 * clip.chunk_overlap, (2, 4)
    models = clip.memory_models
    key = (counts, frame.device.type, frame.dtype)
    if key not in models:  # measured once per restorer
        fits = []
        for frames in counts:

            @torch.no_grad()
            def run(side, frames=frames):
                x = frame[:, None, :, :1, :1].expand(1, frames, -1, side, side)
                clip.run(torch.rand_like(x))

            fits.append(
                fit_memory_model(run, frame.device, (probe, 2 * probe)))
        models[key] = None if None in fits else fits
    fits = models[key]
    available = available_bytes(frame.device)
    if fits is None or available is None:
        return
    if len(fits) == 1:
        model = MemoryModel(fits[0].fixed, outputs * fits[0].per_pixel)
    else:  # per pixel: linear in the frames of the chunk
        slope = max(0., (fits[1].per_pixel - fits[0].per_pixel) / 2)
        model = MemoryModel(
            max(fits[0].fixed, fits[1].fixed),
            fits[0].per_pixel + slope * (outputs - 2))
    tiles = (clip.tile, clip.tile) if isinstance(clip.tile, int) \
        else clip.tile or (h, w)
    th, tw = min(h, tiles[0]), min(w, tiles[1])
    # a tiled call blends into a float output of the whole frame (and its
    # weights): 16 bytes per output pixel
    blend = 16 * spec.scale**2 * h * w * outputs if clip.tile else 0

    def need(th, tw):
        return model.bytes(th, tw) + blend

    if need(th, tw) <= available:
        return
    text = (f'frames of {w}x{h} need about {_size(need(th, tw))} to '
            f'restore{f" in tiles of {th}" if clip.tile else ""}, '
            f'{_size(available)} is available')
    # a tile that leaves a margin (the probes' measure varies)
    blend = 16 * spec.scale**2 * h * w * outputs
    per_pixel = MemoryModel(model.fixed + blend, model.per_pixel)
    side = per_pixel.largest_side(0.7 * available)
    side -= side % max(m, 8)
    overlap = clip.tile_overlap if isinstance(clip.tile_overlap, int) \
        else max(clip.tile_overlap)
    smallest = max(2 * overlap, m, 8)
    if side <= smallest:
        raise ArgumentError(
            f'{text}: even tiles of {smallest} px would need about '
            f'{_size(per_pixel.bytes(smallest, smallest))}; free memory, or '
            'restore fewer windows or frames per forward', 'tile')
    raise ArgumentError(f'{text}: restore with tile {side}', 'tile')


def _size(n: float) -> str:
    return f'{n / 2**30:.1f} GiB' if n >= 2**30 else f'{n / 2**20:.0f} MiB'
