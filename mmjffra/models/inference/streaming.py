# Copyright (c) mmjffra contributors. All rights reserved.
"""The streaming scheduler: which frames to read, restore and forget.

A stream of frames of unknown length goes through a
:class:`~mmjffra.models.inference.ClipRestorer` as soon as the frames an output
needs have been read, and frames no output needs any more are dropped, so
memory stays flat whatever the length. Window networks restore a batch of
centre frames once their windows' last frames are read; sequence networks
restore the chunks of :meth:`ClipRestorer.chunk_spans` once their context
is read. Every stream keeps its state in its own :class:`FrameBuffer`: the
restorer and the network are only read, so streams may interleave.
"""
from typing import Iterator, List, Optional

import torch
from torch import Tensor

from .clip_restorer import ClipRestorer


class FrameBuffer:
    """The frames of one stream still needed, and where they are.

    Args:
        frames (Iterator[Tensor]): The stream's frames (c, h, w).
    """

    def __init__(self, frames: Iterator[Tensor]) -> None:
        self.frames = frames
        self.held: List[Tensor] = []
        self.first = 0  # stream index of held[0]
        self.ended = False

    @property
    def seen(self) -> int:
        """int: Frames read so far."""
        return self.first + len(self.held)

    def read_until(self, count: int) -> int:
        """Read frames until ``count`` are seen or the stream ends.

        Returns:
            int: Frames seen.
        """
        while not self.ended and self.seen < count:
            frame = next(self.frames, None)
            if frame is None:
                self.ended = True
            else:
                self.held.append(frame)
        return self.seen

    def since(self, start: int) -> Tensor:
        """The held frames from stream index ``start`` on, (1, t, c, h, w).
        """
        if start < self.first:
            raise ValueError(f'frame {start} was dropped (frames from '
                             f'{self.first} are held)')
        return torch.stack(self.held[start - self.first:])[None]

    def drop_before(self, index: int) -> None:
        """Forget the frames before stream index ``index``."""
        count = max(0, index - self.first)
        self.held = self.held[count:]
        self.first += count


def stream_windows(clip: ClipRestorer,
                   frames: FrameBuffer,
                   start: int = 0,
                   stop: Optional[int] = None,
                   max_windows: int = 1) -> Iterator[Tensor]:
    """Restore the frames ``[start, stop)`` of a stream, window by window.

    Args:
        clip (ClipRestorer): A window network's inference path.
        frames (FrameBuffer): The stream.
        start (int): First frame to restore. Default: 0.
        stop (int, optional): Stop before this frame. Default: None, the
            end of the stream.
        max_windows (int): Windows per forward. Default: 1.

    Yields:
        Tensor: Restored frames (c_out, s*h, s*w), in order.
    """
    radius = clip.spec.radius
    centre = start
    while stop is None or centre < stop:
        batch_stop = centre + max_windows
        if stop is not None:
            batch_stop = min(batch_stop, stop)
        seen = frames.read_until(batch_stop + radius)
        # frames whose whole window has been read (all, once it ended)
        readable = seen if frames.ended else seen - radius
        centres = list(range(centre, min(batch_stop, readable)))
        if not centres:
            return
        first = clip.window_start(centres, seen)
        out = clip.restore_windows(
            frames.since(first),
            centres,
            num_frames=seen,
            offset=first,
            max_windows=max_windows)
        yield from out[0]
        centre = centres[-1] + 1
        frames.drop_before(centre - radius)


def stream_chunks(clip: ClipRestorer,
                  frames: FrameBuffer,
                  start: int = 0,
                  stop: Optional[int] = None) -> Iterator[Tensor]:
    """Restore the frames ``[start, stop)`` of a stream, chunk by chunk.

    Args:
        clip (ClipRestorer): A sequence network's inference path (with
            ``chunk`` set: the stream's length is unknown).
        frames (FrameBuffer): The stream.
        start (int): First frame to restore. Default: 0.
        stop (int, optional): Stop before this frame. Default: None, the
            end of the stream.

    Yields:
        Tensor: Restored frames (c_out, s*h, s*w), in order.
    """
    for span in clip.chunk_spans(start, stop):
        seen = frames.read_until(span.context_stop)
        span = span.within(seen)
        if span.start >= span.stop:
            return
        out = clip.restore_chunk(
            frames.since(span.context_start), span, offset=span.context_start)
        yield from out[0]
        frames.drop_before(span.stop - clip.chunk_overlap)
