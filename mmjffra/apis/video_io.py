# Copyright (c) mmjffra contributors. All rights reserved.
"""Streaming frame readers for videos and frame folders, and the check of
a restoration's input and output before any work."""
import os
import os.path as osp
import re
import warnings
from typing import Iterator, List, Optional

import cv2
import numpy as np

from mmjffra.errors import ArgumentError, RestoreWarning, VideoInputError
from .restore_output import VIDEO_EXTS, check_output, probe_output

IMG_EXTS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
__all__ = ['VIDEO_EXTS', 'IMG_EXTS']


def natural_key(name: str) -> tuple:
    """Sort key of a file name: digit runs compare as numbers.

    ``frame2.png`` comes before ``frame10.png`` (text order puts it after).
    """
    return tuple((0, int(part), '') if part.isdigit() else (1, 0, part)
                 for part in re.split(r'(\d+)', name.lower()) if part)


def name_pattern(name: str) -> str:
    """A frame name without its numbers and extension (``frame#``)."""
    return re.sub(r'\d+', '#', osp.splitext(name)[0].lower())


def sorted_frames(folder: str) -> List[str]:
    """Image files of ``folder`` in natural order (hidden files, such as
    macOS's ``._*``, left out).

    Raises:
        VideoInputError: The names give no order: they differ in more than
            their numbers (``cat.png``, ``dog.png``; ``frame1.png``,
            ``clip10.png``), or two have the same numbers (``1.png`` and
            ``01.png``).
    """
    names = [
        f for f in os.listdir(folder)
        if f.lower().endswith(IMG_EXTS) and not f.startswith('.')
    ]
    names.sort(key=natural_key)
    if len(names) > 1:
        patterns = {}
        for name in names:
            patterns.setdefault(name_pattern(name), name)
        if len(patterns) > 1 or '#' not in next(iter(patterns)):
            a, b = list(patterns.values())[:2] if len(patterns) > 1 \
                else names[:2]
            raise VideoInputError(
                f'frames {a!r} and {b!r} of {folder!r} give no order: frame '
                'names must differ only in their numbers (e.g. '
                '00000001.png, 00000002.png)')
    for a, b in zip(names, names[1:]):
        if natural_key(a) == natural_key(b):
            raise VideoInputError(
                f'frames {a!r} and {b!r} of {folder!r} have no order (the '
                'same numbers): rename them')
    return [osp.join(folder, f) for f in names]


def _check_size(frame: np.ndarray, first: Optional[tuple], where: str):
    if first is not None and frame.shape != first:
        raise VideoInputError(
            f'{where} has size {frame.shape[1]}x{frame.shape[0]}, but the '
            f'first frame has {first[1]}x{first[0]}: frames must not change '
            'size within a video')


class FrameReader:
    """Read RGB uint8 frames one at a time from a video file or a folder.

    Args:
        path (str): A video file (decoded with PyAV) or a folder of images
            (sorted by file name).
        start (int): First frame to read. Default: 0.
        end (int, optional): Stop before this frame. Default: None (all).
    """

    def __init__(self,
                 path: str,
                 start: int = 0,
                 end: Optional[int] = None) -> None:
        if not osp.exists(path):
            raise VideoInputError(f'input {path!r} does not exist')
        if start < 0 or (end is not None and end <= start):
            raise VideoInputError(f'invalid frame range start={start}, '
                                  f'end={end}')
        self.path = path
        self.start = start
        self.end = end
        self.is_folder = osp.isdir(path)
        self.fps = 25.
        self.expected = None  # frames the container's header announces
        self.decode_error = None  # why decoding stopped early, if it did
        self._uneven = False  # the rates say the frames may be unevenly timed
        if self.is_folder:
            self.files = sorted_frames(path)
            if not self.files:
                raise VideoInputError(f'no image frames in folder {path!r}')
            self.total = len(self.files)
        else:
            import av
            try:
                with av.open(path) as container:
                    if not container.streams.video:
                        raise VideoInputError(f'{path!r} has no video stream')
                    stream = container.streams.video[0]
                    self.total = stream.frames or None
                    if stream.average_rate:
                        self.fps = float(stream.average_rate)
                        self._uneven = bool(
                            stream.base_rate
                            and stream.base_rate != stream.average_rate)
                    self.expected = stream.frames or (
                        int(round(container.duration / 1e6 * self.fps)) if
                        container.duration and stream.average_rate else None)
            except av.error.FFmpegError as err:
                raise VideoInputError(
                    f'cannot open video {path!r}: {err}') from err
        if self.total is not None:
            stop = self.total if end is None else min(end, self.total)
            self.total = max(0, stop - start)

    def frame_numbers(self) -> Optional[List[int]]:
        """The numbers in the names of a folder's frames of ``[start,
        end)``: ffmpeg's ``00001.png`` is 1 and gaps are kept. The number
        is the last digit run that changes from frame to frame; None for a
        video file or names without such a run (numbered by position)."""
        if not self.is_folder:
            return None
        runs = [[int(d) for d in re.findall(r'\d+', osp.basename(p))]
                for p in self.files]
        width = min(map(len, runs))
        varying = [i for i in range(width) if len({r[i]
                                                   for r in runs}) > 1
                   ] or ([width - 1] if width and len(runs) == 1 else [])
        if not varying:
            return None
        numbers = [r[varying[-1]] for r in runs]
        if len(set(numbers)) < len(numbers):
            return None
        stop = self.end if self.end is not None else len(numbers)
        return numbers[self.start:stop]

    def frame_times(self) -> Optional[List[float]]:
        """The time of each frame of ``[start, end)`` of a variable frame
        rate video, in seconds from the video's first frame; None for a
        folder or a video whose frames are evenly spaced (written at
        ``fps``).

        The times are the presentation timestamps of the video's packets
        (read without decoding, only when the stream's nominal and average
        rates differ). Frames count as evenly spaced when every interval
        is within 1 ms (or 1%) of the median one.
        """
        if self.is_folder or not self._uneven:
            return None
        if not hasattr(self, '_times'):
            self._times = self._packet_times()
        if self._times is None:
            return None
        stop = self.end if self.end is not None else len(self._times)
        return self._times[self.start:stop]

    def _packet_times(self) -> Optional[List[float]]:
        import av
        try:
            with av.open(self.path) as container:
                stream = container.streams.video[0]
                pts = [
                    p.pts for p in container.demux(stream)
                    if p.pts is not None and p.size
                ]
                base = stream.time_base
        except av.error.FFmpegError:
            return None
        if len(pts) < 3:
            return None
        pts.sort()
        times = [float((t - pts[0]) * base) for t in pts]
        steps = sorted(b - a for a, b in zip(times, times[1:]))
        median = steps[len(steps) // 2]
        if all(abs(d - median) <= max(1e-3, 0.01 * median) for d in steps):
            return None
        return times

    def __iter__(self) -> Iterator[np.ndarray]:
        count = 0
        decoded = 0
        first = None
        for index, frame in self._frames():
            decoded = index + 1
            if index < self.start:
                continue
            if self.end is not None and index >= self.end:
                return
            _check_size(frame, first, f'frame {index} of {self.path!r}')
            first = frame.shape
            count += 1
            yield frame
        if count == 0:
            raise VideoInputError(f'{self.path!r} has no frames in the range '
                                  f'[{self.start}, {self.end})')
        wanted = self.expected if self.end is None else \
            min(self.end, self.expected or self.end)
        if self.expected and decoded < wanted - 1:  # 1: rounded durations
            warnings.warn(
                f'{self.path!r} ended after {decoded} of the '
                f'{self.expected} frames its header announces (a truncated '
                f'file?): {count} frames restored', RestoreWarning)
        elif self.decode_error:
            warnings.warn(
                f'{self.path!r} stopped decoding after {decoded} frames (a '
                f'truncated file?): {self.decode_error}; {count} frames '
                'restored', RestoreWarning)

    def _frames(self):
        if self.is_folder:
            for index, file in enumerate(self.files):
                if index < self.start:
                    continue
                if self.end is not None and index >= self.end:
                    return
                img = cv2.imread(
                    file, cv2.IMREAD_UNCHANGED
                    if index == self.start else cv2.IMREAD_COLOR)
                if img is None:
                    raise VideoInputError(f'cannot read frame {file!r}')
                if index == self.start:
                    img = self._first_as_bgr(img, file)
                yield index, cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
            return
        import av
        index = -1
        try:
            with av.open(self.path) as container:
                for index, frame in enumerate(container.decode(video=0)):
                    if index == 0:
                        self._warn_dropped_depth(frame.format.name)
                    yield index, frame.to_ndarray(format='rgb24')
        except av.error.FFmpegError as err:
            if index < 0:
                raise VideoInputError(
                    f'cannot decode video {self.path!r}: {err}') from err
            # a file cut mid-packet: what decoded is restored (__iter__
            # warns once)
            self.decode_error = ' '.join(str(err).split())

    def _first_as_bgr(self, img: np.ndarray, file: str) -> np.ndarray:
        """The first frame, read unchanged, as ``IMREAD_COLOR`` gives it;
        say once that alpha or 16 bits are not restored."""
        alpha = img.ndim == 3 and img.shape[2] == 4
        deep = img.dtype != np.uint8
        if alpha or deep:
            what = ' and '.join(
                w for w, on in (('an alpha channel', alpha),
                                (f'{8 * img.dtype.itemsize}-bit depth', deep))
                if on)
            warnings.warn(
                f'frame {file!r} has {what}: it is not restored; frames '
                'are read and written as 8-bit RGB', RestoreWarning)
        return cv2.imread(file, cv2.IMREAD_COLOR)

    def _warn_dropped_depth(self, pixel_format: str) -> None:
        """Say once that alpha or a bit depth above 8 is not restored."""
        import av
        desc = av.VideoFormat(pixel_format)
        alpha = pixel_format.startswith(
            ('yuva', 'rgba', 'bgra', 'argb', 'abgr', 'gbrap', 'ya'))
        deep = any(c.bits > 8 for c in desc.components)
        if alpha or deep:
            what = ' and '.join(
                w for w, on in (('its alpha channel', alpha),
                                (f'{max(c.bits for c in desc.components)}'
                                 '-bit depth', deep)) if on)
            verb = 'are' if alpha and deep else 'is'
            warnings.warn(
                f'{self.path!r} ({pixel_format}): {what} {verb} not '
                'restored; frames are read and written as 8-bit RGB',
                RestoreWarning)


def check_restore_paths(src: str,
                        dst: str,
                        start: int = 0,
                        end: Optional[int] = None,
                        overwrite: bool = False,
                        codec: Optional[str] = None,
                        fps: Optional[float] = None,
                        crf: int = 18,
                        resume: bool = False) -> 'FrameReader':
    """Check a restoration's input and output before any work: the input
    opens and has frames in ``[start, end)``, the output may be written
    (see :func:`~mmjffra.apis.restore_output.check_output`), its folder is
    writable and the codec fits its container, and a partial restoration
    of it (:mod:`mmjffra.apis.resumable`) is there only with ``resume``.

    Returns:
        FrameReader: The input.
    """
    if fps is not None and not fps > 0:
        raise ArgumentError(f'fps must be positive, got {fps}', 'fps')
    if crf < 0:
        raise ArgumentError(f'crf must be >= 0, got {crf}', 'crf')
    from .resumable import check_no_partial
    reader = FrameReader(src, start, end)
    manifest = check_no_partial(dst, resume)
    if not (manifest and manifest.get('complete')):  # else: in place
        check_output(dst, overwrite, src)
    probe_output(dst, codec, fps or reader.fps, crf)
    return reader
