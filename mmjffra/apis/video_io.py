# Copyright (c) mmjffra contributors. All rights reserved.
"""Streaming frame readers and writers for videos and frame folders."""
import os
import os.path as osp
import re
from typing import Iterator, List, Optional

import cv2
import numpy as np

IMG_EXTS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
VIDEO_EXTS = ('.mp4', '.avi', '.mkv', '.mov', '.webm', '.m4v', '.mpg', '.mpeg',
              '.y4m')


class VideoInputError(ValueError):
    """An input video or frame folder that cannot be read as asked."""


def natural_key(name: str) -> tuple:
    """Sort key of a file name: digit runs compare as numbers.

    ``frame2.png`` comes before ``frame10.png`` (text order puts it after).
    """
    return tuple((0, int(part), '') if part.isdigit() else (1, 0, part)
                 for part in re.split(r'(\d+)', name.lower()) if part)


def sorted_frames(folder: str) -> List[str]:
    """Image files of ``folder`` in natural order.

    Raises:
        VideoInputError: Two names have the same natural order (e.g.
            ``1.png`` and ``01.png``): the frame order is ambiguous.
    """
    names = [f for f in os.listdir(folder) if f.lower().endswith(IMG_EXTS)]
    names.sort(key=natural_key)
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
            except av.error.FFmpegError as err:
                raise VideoInputError(
                    f'cannot open video {path!r}: {err}') from err
        if self.total is not None:
            stop = self.total if end is None else min(end, self.total)
            self.total = max(0, stop - start)

    def __iter__(self) -> Iterator[np.ndarray]:
        count = 0
        first = None
        for index, frame in self._frames():
            if index < self.start:
                continue
            if self.end is not None and index >= self.end:
                break
            _check_size(frame, first, f'frame {index} of {self.path!r}')
            first = frame.shape
            count += 1
            yield frame
        if count == 0:
            raise VideoInputError(f'{self.path!r} has no frames in the range '
                                  f'[{self.start}, {self.end})')

    def _frames(self):
        if self.is_folder:
            for index, file in enumerate(self.files):
                if index < self.start:
                    continue
                if self.end is not None and index >= self.end:
                    return
                img = cv2.imread(file, cv2.IMREAD_COLOR)
                if img is None:
                    raise VideoInputError(f'cannot read frame {file!r}')
                yield index, cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
            return
        import av
        try:
            with av.open(self.path) as container:
                for index, frame in enumerate(container.decode(video=0)):
                    yield index, frame.to_ndarray(format='rgb24')
        except av.error.FFmpegError as err:
            raise VideoInputError(
                f'cannot decode video {self.path!r}: {err}') from err


class FrameWriter:
    """Write RGB uint8 frames one at a time to a video file or a folder.

    The output is refused if it exists, unless ``overwrite``.

    Args:
        path (str): Output video file (by extension) or folder of PNGs.
        fps (float): Frame rate of a video output. Default: 25.
        codec (str): Video codec. Default: 'libx264'.
        crf (int): Constant rate factor (quality) of x264/x265. Default: 18.
        overwrite (bool): Replace an existing output. Default: False.
    """

    def __init__(self,
                 path: str,
                 fps: float = 25.,
                 codec: str = 'libx264',
                 crf: int = 18,
                 overwrite: bool = False) -> None:
        self.is_video = path.lower().endswith(VIDEO_EXTS)
        if osp.exists(path) and not overwrite and (self.is_video
                                                   or not osp.isdir(path)
                                                   or os.listdir(path)):
            raise FileExistsError(
                f'output {path!r} exists; pass --overwrite to replace it')
        self.path = path
        self.fps = fps
        self.codec = codec
        self.crf = crf
        self.count = 0
        self._container = None
        self._stream = None
        if not self.is_video:
            os.makedirs(path, exist_ok=True)

    def write(self, frame: np.ndarray) -> None:
        """Write one (h, w, 3) RGB uint8 frame."""
        if not self.is_video:
            cv2.imwrite(
                osp.join(self.path, f'{self.count:08d}.png'),
                cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
            self.count += 1
            return
        from fractions import Fraction

        import av
        if self._container is None:
            parent = osp.dirname(osp.abspath(self.path))
            os.makedirs(parent, exist_ok=True)
            self._container = av.open(self.path, 'w')
            rate = Fraction(self.fps).limit_denominator(1001)
            self._stream = self._container.add_stream(self.codec, rate=rate)
            self._stream.width = frame.shape[1] - frame.shape[1] % 2
            self._stream.height = frame.shape[0] - frame.shape[0] % 2
            self._stream.pix_fmt = 'yuv420p'
            if self.codec in ('libx264', 'libx265'):
                self._stream.options = {'crf': str(self.crf)}
        frame = frame[:self._stream.height, :self._stream.width]
        video_frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(frame), format='rgb24')
        for packet in self._stream.encode(video_frame):
            self._container.mux(packet)
        self.count += 1

    def close(self) -> None:
        """Flush and close a video output."""
        if self._container is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
            self._container = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
