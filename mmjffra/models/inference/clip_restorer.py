# Copyright (c) mmjffra contributors. All rights reserved.
"""The one inference path: windows, chunks and tiles of a clip, built from
the network's :class:`~mmjffra.models.inference.spec.InferenceSpec`."""
from typing import (Callable, Iterator, List, NamedTuple, Optional, Sequence,
                    Tuple, Union)

import torch
from torch import Tensor, nn

from .spec import (InferenceSpec, check_padding, check_tile,
                   get_inference_spec, window_indices)


def _padded(fn: Callable[..., Tensor], multiple: int,
            scale: int) -> Callable[..., Tensor]:
    """``fn`` on inputs padded up to ``multiple`` (edge pixels repeated),
    its output cropped back to ``scale`` times the input size."""

    def call(lqs: Tensor, flows: Optional[Tensor] = None) -> Tensor:
        h, w = lqs.shape[-2:]
        ph, pw = (-h) % multiple, (-w) % multiple
        if ph or pw:
            n, t = lqs.shape[:2]
            lqs = torch.nn.functional.pad(
                lqs.flatten(0, 1), (0, pw, 0, ph),
                mode='replicate').view(n, t, -1, h + ph, w + pw)
        out = fn(lqs) if flows is None else fn(lqs, flows)
        return out[..., :scale * h, :scale * w]

    return call


def tile_spans(size: int,
               tile: int,
               overlap: int,
               multiple: int = 1) -> List[Tuple[int, int]]:
    """Tile spans ``(start, end)`` covering ``size`` input pixels.

    Starts are multiples of ``multiple``; neighbours overlap by at least
    ``overlap``; the last tile ends at the border (it may exceed ``tile``
    by less than ``multiple``). One tile when ``size <= tile``.
    """
    if size <= tile:
        return [(0, size)]
    check_tile(tile, overlap, multiple)
    step = (tile - overlap) // multiple * multiple
    last = (size - tile) // multiple * multiple
    starts = list(range(0, last, step))
    return [(s, min(s + tile, size)) for s in starts] + [(last, size)]


def _ramp(length: int, start: int, end: int, size: int, overlap: int,
          scale: int) -> Tensor:
    """1D blending weights of a tile (output pixels): linear ramps over
    half the overlap, only at edges inside the frame."""
    w = torch.ones(length)
    ramp = max(1, overlap * scale // 2)
    steps = torch.arange(1, ramp + 1, dtype=torch.float32) / (ramp + 1)
    n = min(ramp, length)
    if start > 0:
        w[:n] = torch.minimum(w[:n], steps[:n])
    if end < size:
        w[-n:] = torch.minimum(w[-n:], steps[:n].flip(0))
    return w


def run_tiled(fn: Callable[..., Tensor],
              lqs: Tensor,
              scale: int,
              tile: Optional[Union[int, Sequence[int]]] = None,
              tile_overlap: Union[int, Sequence[int]] = 32,
              multiple: int = 1,
              flows: Optional[Tensor] = None,
              on_tile: Optional[Callable[[int, int], None]] = None) -> Tensor:
    """Run ``fn`` on overlapping spatial tiles of ``lqs`` and blend them.

    The single tiling utility of the project. ``fn(lqs_tile)`` (or
    ``fn(lqs_tile, flows_tile)`` when ``flows`` is given: whole-frame flows
    cropped with the tile) returns ``(n, c, s*h, s*w)`` (a window's centre
    frame) or ``(n, t, c, s*h, s*w)`` (a sequence). Tiles are blended with
    linear ramps over the overlap; away from tile borders the result is
    that of one call on the whole input.

    Args:
        fn (Callable): The network call.
        lqs (Tensor): Input (n, t, c, h, w).
        scale (int): Output/input size.
        tile (int | Sequence[int], optional): Tile side (or (h, w)) in input
            pixels; None or 0: no tiling.
        tile_overlap (int | Sequence[int]): Overlap in input pixels.
        multiple (int): Tile starts are multiples of it.
        flows (Tensor, optional): Flows (n, k, 2, h, w) cropped per tile.
        on_tile (callable, optional): Called as ``on_tile(done, total)``
            after each tile of a tiled call (progress within a frame).

    Returns:
        Tensor: The blended output, in ``lqs``' dtype.
    """
    h, w = lqs.shape[-2:]
    tiles = (tile, tile) if isinstance(tile, int) or tile is None else tile
    overlaps = (tile_overlap, tile_overlap) if isinstance(
        tile_overlap, int) else tuple(tile_overlap)

    def call(y0, y1, x0, x1):
        part = lqs[..., y0:y1, x0:x1]
        if flows is None:
            return fn(part)
        return fn(part, flows[..., y0:y1, x0:x1])

    if not tiles[0] or (h <= tiles[0] and w <= tiles[1]):
        return call(0, h, 0, w)
    ys = tile_spans(h, tiles[0], overlaps[0], multiple)
    xs = tile_spans(w, tiles[1], overlaps[1], multiple)
    s = scale
    out = weight = None
    spans = [(*y, *x) for y in ys for x in xs]
    for k, (y0, y1, x0, x1) in enumerate(spans):
        res = call(y0, y1, x0, x1).float()
        if out is None:
            out = res.new_zeros(*res.shape[:-2], s * h, s * w)
            weight = res.new_zeros(s * h, s * w)
        wy = _ramp(s * (y1 - y0), y0, y1, h, overlaps[0], s)
        wx = _ramp(s * (x1 - x0), x0, x1, w, overlaps[1], s)
        tile_w = (wy[:, None] * wx[None, :]).to(res.device)
        out[..., s * y0:s * y1, s * x0:s * x1] += res * tile_w
        weight[s * y0:s * y1, s * x0:s * x1] += tile_w
        if on_tile is not None:
            on_tile(k + 1, len(spans))
    return (out / weight).to(lqs.dtype)


class ChunkSpan(NamedTuple):
    """A chunk of a sequence network: frames ``[context_start,
    context_stop)`` go in, the outputs of ``[start, stop)`` are kept.

    Attributes:
        context_start (int): First frame given to the network.
        start (int): First frame restored.
        stop (int): Stop before this frame.
        context_stop (int): Stop giving frames before this one.
    """
    context_start: int
    start: int
    stop: int
    context_stop: int

    def within(self, length: int) -> 'ChunkSpan':
        """The span clipped to a clip of ``length`` frames."""
        return ChunkSpan(
            max(self.context_start, 0), self.start, min(self.stop, length),
            min(self.context_stop, length))


class ClipRestorer:
    """Restore frames of a clip from a network's declaration.

    Builds windows (window networks, ``max_windows`` per forward) or
    temporal chunks with context (sequence networks) and tiles each call
    with :func:`run_tiled`. Used on whole tensors by the model wrappers'
    test modes and, on a moving buffer of frames, by
    :class:`mmjffra.apis.VideoRestorer`.

    Args:
        generator (nn.Module): The network.
        spec (InferenceSpec, optional): Its declaration. Default: read by
            :func:`get_inference_spec`.
        padding (str): Padding of windows at the clip ends. Default:
            'reflection'.
        max_windows (int): Windows per forward (window networks).
            Default: 1.
        chunk (int, optional): Frames per forward of a sequence network,
            None for the whole clip. Default: None.
        chunk_overlap (int): Context frames on each side of a chunk (their
            outputs are discarded). Default: 0.
        tile (int | Sequence[int], optional): Spatial tile. Default: None.
        tile_overlap (int | Sequence[int]): Spatial overlap. Default: 32.
    """

    def __init__(self,
                 generator: nn.Module,
                 spec: Optional[InferenceSpec] = None,
                 padding: str = 'reflection',
                 max_windows: int = 1,
                 chunk: Optional[int] = None,
                 chunk_overlap: int = 0,
                 tile: Optional[Union[int, Sequence[int]]] = None,
                 tile_overlap: Union[int, Sequence[int]] = 32) -> None:
        self.generator = generator
        self.spec = spec or get_inference_spec(generator)
        check_padding(padding)
        if int(max_windows) < 1:
            raise ValueError(f'max_windows must be >= 1, got {max_windows}')
        if chunk is not None and chunk < 1:
            raise ValueError(f'chunk must be >= 1, got {chunk}')
        self.padding = padding
        self.max_windows = int(max_windows)
        self.chunk = chunk
        self.chunk_overlap = chunk_overlap
        self.tile = tile
        self.tile_overlap = tile_overlap
        #: called as ``on_tile(done, total)`` after each tile of a call
        self.on_tile: Optional[Callable[[int, int], None]] = None
        #: peak-memory models of one forward, measured by
        #: :func:`~mmjffra.models.inference.memory.check_frame_memory`
        self.memory_models: dict = {}
        if tile:  # fail now, not at the first large frame
            check_tile(tile, tile_overlap, self.spec.spatial_multiple)

    def check_size(self, lqs: Tensor) -> None:
        """Raise a clear error for a frame size the network cannot take."""
        h, w = lqs.shape[-2:]
        if min(h, w) < self.spec.min_size:
            raise ValueError(
                f'{type(self.generator).__name__} needs input frames of at '
                f'least {self.spec.min_size} px, got {w}x{h}')

    def run(self, lqs: Tensor) -> Tensor:
        """One (tiled) network call on ``lqs`` (n, t, c, h, w)."""
        spec = self.spec
        flows = None
        if spec.whole_frame_flows and self.tile:
            flows = self.generator.compute_flows(lqs)
        fn = (lambda x, f=None: self.generator(x)
              if f is None else self.generator(x, flows=f))
        if spec.input_multiple > 1:
            fn = _padded(fn, spec.input_multiple, spec.scale)
        return run_tiled(fn, lqs, spec.scale, self.tile, self.tile_overlap,
                         spec.spatial_multiple, flows, self.on_tile)

    def restore_windows(self,
                        lqs: Tensor,
                        centres: Sequence[int],
                        num_frames: Optional[int] = None,
                        offset: int = 0,
                        max_windows: Optional[int] = None) -> Tensor:
        """Restore the frames ``centres`` of a clip, window by window.

        Args:
            lqs (Tensor): Frames (n, t, c, h, w) held now: clip frames
                ``offset .. offset + t - 1``.
            centres (Sequence[int]): Clip indices of the frames to restore.
            num_frames (int, optional): Length of the clip (the windows'
                padding); default ``offset + t``.
            offset (int): Clip index of ``lqs[:, 0]``. Default: 0.
            max_windows (int, optional): Windows per forward for this call.
                Default: None, this restorer's ``max_windows``.

        Returns:
            Tensor: (n, len(centres), c_out, s*h, s*w).
        """
        n, t = lqs.shape[:2]
        total = offset + t if num_frames is None else num_frames
        batch = max_windows or self.max_windows
        outputs = []
        for first in range(0, len(centres), batch):
            windows = []
            for centre in centres[first:first + batch]:
                held = [
                    index - offset for index in window_indices(
                        total, centre, self.spec.radius, self.padding)
                ]
                if min(held) < 0 or max(held) >= t:
                    raise ValueError(f'frame {centre} needs frames {held} '
                                     f'beyond the {t} frames held')
                windows.append(lqs[:, held])
            outputs.extend(self.run(torch.cat(windows)).split(n))
        return torch.stack(outputs, dim=1)

    def window_start(self, centres: Sequence[int], num_frames: int) -> int:
        """The first clip frame that the windows of ``centres`` read.

        Args:
            centres (Sequence[int]): Clip indices of frames to restore.
            num_frames (int): Length of the clip (the windows' padding).

        Returns:
            int: The smallest index of their windows.
        """
        return min(
            min(
                window_indices(num_frames, centre, self.spec.radius,
                               self.padding)) for centre in centres)

    def chunk_spans(self,
                    start: int,
                    stop: Optional[int] = None) -> Iterator['ChunkSpan']:
        """The chunks that restore frames ``[start, stop)``.

        The one chunking of the package: chunks of ``chunk`` frames (all of
        ``[start, stop)`` when ``chunk`` is None), each with
        ``chunk_overlap`` context frames on both sides. Spans are not
        clipped to the clip: see :meth:`ChunkSpan.within`.

        Args:
            start (int): First frame to restore.
            stop (int, optional): Stop before this frame. Default: None,
                no end (a stream of unknown length; needs ``chunk``).

        Yields:
            ChunkSpan: Chunks in order.
        """
        if stop is None and not self.chunk:
            raise ValueError('a stream of unknown length needs chunks: give '
                             'chunk')
        size = self.chunk or max(stop - start, 1)
        chunk_start = start
        while stop is None or chunk_start < stop:
            chunk_stop = chunk_start + size
            if stop is not None:
                chunk_stop = min(chunk_stop, stop)
            yield ChunkSpan(chunk_start - self.chunk_overlap, chunk_start,
                            chunk_stop, chunk_stop + self.chunk_overlap)
            chunk_start = chunk_stop

    def restore_chunk(self,
                      lqs: Tensor,
                      span: 'ChunkSpan',
                      offset: int = 0) -> Tensor:
        """Restore one chunk of a clip with a sequence network.

        Args:
            lqs (Tensor): Frames (n, t, c, h, w) held now: clip frames
                ``offset .. offset + t - 1``, at least the span's context.
            span (ChunkSpan): The chunk, within the clip.
            offset (int): Clip index of ``lqs[:, 0]``. Default: 0.

        Returns:
            Tensor: (n, span.stop - span.start, c_out, s*h, s*w).
        """
        if span.context_start < offset or \
                span.context_stop > offset + lqs.size(1):
            raise ValueError(f'chunk {span} needs frames beyond the '
                             f'{lqs.size(1)} frames held from {offset}')
        out = self.run(lqs[:, span.context_start - offset:span.context_stop -
                           offset])
        return out[:, span.start - span.context_start:span.stop -
                   span.context_start]

    def restore_sequence(self,
                         lqs: Tensor,
                         start: int = 0,
                         stop: Optional[int] = None) -> Tensor:
        """Restore frames [start, stop) of a clip with a sequence network.

        Chunks of ``chunk`` frames, each with up to ``chunk_overlap``
        context frames of ``lqs`` on both sides.

        Returns:
            Tensor: (n, stop - start, c_out, s*h, s*w).
        """
        length = lqs.size(1)
        stop = length if stop is None else stop
        chunks = [
            self.restore_chunk(lqs, span.within(length))
            for span in self.chunk_spans(start, stop)
        ]
        return torch.cat(chunks, dim=1)

    def restore(self, lqs: Tensor) -> Tensor:
        """Restore every frame of a whole clip (n, t, c, h, w)."""
        self.check_size(lqs)
        if self.spec.temporal == 'window':
            return self.restore_windows(lqs, list(range(lqs.size(1))))
        return self.restore_sequence(lqs)
