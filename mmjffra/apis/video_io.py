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


def _sibling(path: str, tag: str) -> str:
    """A hidden name next to ``path`` (same folder, same extension)."""
    folder, name = osp.split(osp.abspath(path))
    stem, ext = osp.splitext(name)
    if osp.isdir(path) or not ext:
        return osp.join(folder, f'.{name}.{tag}{os.getpid()}')
    return osp.join(folder, f'.{stem}.{tag}{os.getpid()}{ext}')


def move_into_place(tmp: str, dst: str) -> None:
    """Replace ``dst`` by ``tmp`` (a file or a folder); the old ``dst`` is
    removed only once the new one is in place."""
    import shutil
    if osp.isdir(dst) and not osp.islink(dst):
        old = _sibling(dst, 'old')
        os.replace(dst, old)
        os.replace(tmp, dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, dst)


def remove_path(path: str) -> None:
    import shutil
    if osp.isdir(path) and not osp.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif osp.exists(path):
        os.remove(path)


def audio_streams(path: str) -> int:
    """Number of audio streams of a video file (0 for a folder)."""
    if osp.isdir(path):
        return 0
    import av
    try:
        with av.open(path) as container:
            return len(container.streams.audio)
    except av.error.FFmpegError:
        return 0


def copy_audio(src, out, stream, start: float, seconds: float) -> None:
    """Mux the audio packets of ``src`` (an open input container) from
    ``start`` for ``seconds`` into ``stream`` of ``out``, shifted to start
    at 0 (no re-encoding)."""
    audio = src.streams.audio[0]
    tb = audio.time_base
    shift = int(round(start / tb))
    for packet in src.demux(audio):
        if packet.pts is None or packet.size == 0:
            continue
        t = float(packet.pts * tb)
        if t < start - 1e-6:
            continue
        if t >= start + seconds:
            break
        packet.pts -= shift
        if packet.dts is not None:
            packet.dts -= shift
        packet.stream = stream
        out.mux(packet)


class FrameWriter:
    """Write RGB uint8 frames one at a time to a video file or a folder.

    Everything is written to a hidden temporary sibling of ``path`` and
    moved into place by :meth:`commit` (``with`` does it when the block
    ends without an error; an error removes the temporary output): a
    failed run leaves nothing behind and a previous output untouched. The
    output is refused if it exists, unless ``overwrite``.

    Args:
        path (str): Output video file (by extension) or folder of PNGs.
        fps (float): Frame rate of a video output. Default: 25.
        codec (str): Video codec. Default: 'libx264'.
        crf (int): Constant rate factor (quality) of x264/x265. Default: 18.
        overwrite (bool): Replace an existing output. Default: False.
        audio_from (str, optional): Copy the first audio stream of this
            video file into a video output (no re-encoding). Default: None.
        audio_start (float): Seconds of that audio the output starts at
            (the first restored frame's time). Default: 0.
        first_index (int): Number of the first PNG of a folder output.
            Default: 0.
        b_frames (bool): Allow B-frames (x264/x265). Parts that are joined
            without re-encoding are written without. Default: True.
        direct (bool): Write to ``path`` itself (a part of a joint output
            whose folder is already temporary). Default: False.
    """

    def __init__(self,
                 path: str,
                 fps: float = 25.,
                 codec: str = 'libx264',
                 crf: int = 18,
                 overwrite: bool = False,
                 audio_from: Optional[str] = None,
                 audio_start: float = 0.,
                 first_index: int = 0,
                 b_frames: bool = True,
                 direct: bool = False) -> None:
        self.is_video = path.lower().endswith(VIDEO_EXTS)
        if not direct and osp.exists(path) and not overwrite and (
                self.is_video or not osp.isdir(path) or os.listdir(path)):
            raise FileExistsError(
                f'output {path!r} exists; pass --overwrite to replace it')
        if fps <= 0:
            raise ValueError(f'fps must be positive, got {fps}')
        self.path = path
        self.tmp = path if direct else _sibling(path, 'tmp')
        self.direct = direct
        self.fps = fps
        self.codec = codec
        self.crf = crf
        self.audio_from = audio_from if self.is_video else None
        self.audio_start = audio_start
        self.first_index = first_index
        self.b_frames = b_frames
        self.count = 0
        self._container = None
        self._stream = None
        self._audio = None
        self._audio_src = None
        parent = osp.dirname(osp.abspath(path))
        os.makedirs(parent, exist_ok=True)
        if not self.is_video:
            os.makedirs(self.tmp, exist_ok=True)

    def _open(self, width: int, height: int) -> None:
        from fractions import Fraction

        import av
        self._container = av.open(self.tmp, 'w')
        rate = Fraction(self.fps).limit_denominator(1001)
        self._stream = self._container.add_stream(self.codec, rate=rate)
        self._stream.width = width - width % 2
        self._stream.height = height - height % 2
        self._stream.pix_fmt = 'yuv420p'
        if self.codec in ('libx264', 'libx265'):
            options = {'crf': str(self.crf)}
            if not self.b_frames:
                options['bf'] = '0'
            self._stream.options = options
        if self.audio_from and audio_streams(self.audio_from):
            self._audio_src = av.open(self.audio_from)
            self._audio = self._container.add_stream_from_template(
                self._audio_src.streams.audio[0])

    def write(self, frame: np.ndarray) -> None:
        """Write one (h, w, 3) RGB uint8 frame."""
        if not self.is_video:
            cv2.imwrite(
                osp.join(self.tmp, f'{self.first_index + self.count:08d}.png'),
                cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
            self.count += 1
            return
        import av
        if self._container is None:
            self._open(frame.shape[1], frame.shape[0])
        frame = frame[:self._stream.height, :self._stream.width]
        video_frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(frame), format='rgb24')
        for packet in self._stream.encode(video_frame):
            self._container.mux(packet)
        self.count += 1

    def _copy_audio(self) -> None:
        copy_audio(self._audio_src, self._container, self._audio,
                   self.audio_start, self.count / self.fps)

    def close(self) -> None:
        """Flush and close a video output (still at its temporary path)."""
        if self._container is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
            if self._audio is not None:
                self._copy_audio()
            self._container.close()
            self._container = None
        if self._audio_src is not None:
            self._audio_src.close()
            self._audio_src = None

    def commit(self) -> None:
        """Close and move the output into place."""
        self.close()
        if self.direct:
            return
        if self.is_video and not osp.exists(self.tmp):
            raise VideoInputError(f'no frame was written to {self.path!r}')
        move_into_place(self.tmp, self.path)

    def abort(self) -> None:
        """Close and remove the temporary output."""
        try:
            self.close()
        except Exception:  # an error while closing must not hide the first
            pass
        if not self.direct:
            remove_path(self.tmp)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def join_video_parts(parts: List[str],
                     dst: str,
                     fps: float,
                     audio_from: Optional[str] = None,
                     audio_start: float = 0.) -> int:
    """Concatenate video parts of one stream without re-encoding.

    The parts (written by :class:`FrameWriter` with ``b_frames=False``, one
    per rank, in order) are remuxed into ``dst`` with their timestamps
    shifted by the frames before them; the audio of ``audio_from`` is
    copied as :class:`FrameWriter` does.

    Returns:
        int: Frames in the joined video.
    """
    from fractions import Fraction

    import av
    out = av.open(dst, 'w')
    audio_src = audio = None
    try:
        with av.open(parts[0]) as first:
            stream = out.add_stream_from_template(first.streams.video[0])
        if audio_from and audio_streams(audio_from):
            audio_src = av.open(audio_from)
            audio = out.add_stream_from_template(audio_src.streams.audio[0])
        frame_dur = None
        offset = 0
        count = 0
        for part in parts:
            with av.open(part) as container:
                src = container.streams.video[0]
                if frame_dur is None:
                    frame_dur = int(round(1 / (Fraction(fps) * src.time_base)))
                n = 0
                for packet in container.demux(src):
                    if packet.size == 0:
                        continue
                    packet.pts += offset
                    if packet.dts is not None:
                        packet.dts += offset
                    packet.stream = stream
                    out.mux(packet)
                    n += 1
            offset += n * frame_dur
            count += n
        if audio is not None:
            copy_audio(audio_src, out, audio, audio_start, count / fps)
    finally:
        out.close()
        if audio_src is not None:
            audio_src.close()
    return count
