# Copyright (c) mmjffra contributors. All rights reserved.
"""Frame writers for videos and frame folders that never leave a
half-written output, and the joining of video parts without re-encoding."""
import contextlib
import os
import os.path as osp
import warnings
from fractions import Fraction
from typing import List, Optional, Sequence

import cv2
import numpy as np

from mmjffra.errors import OutputError, RestoreWarning, VideoInputError
from mmjffra.utils.safe_files import (deferred_signals, remove_quietly,
                                      replace_durably, temp_sibling)
from .audio import audio_streams, copy_audio
from .restore_output import (VideoOptions, check_output, default_codec,
                             is_video_path, make_parents, os_cause,
                             pixel_format, remove_parents, swap_folder,
                             video_stream, write_manifest)


def write_png(path: str, frame: np.ndarray,
              params: Sequence[int] = ()) -> None:
    """Write an RGB frame as a PNG under a hidden temporary name, then
    rename it: a killed run leaves whole frames only.

    Raises:
        ValueError: The frame cannot be encoded.
        OSError: The file cannot be written.
    """
    ok, data = cv2.imencode('.png', cv2.cvtColor(frame, cv2.COLOR_RGB2BGR),
                            list(params))
    if not ok:
        raise ValueError(f'cannot encode {path!r} as PNG')
    folder, name = osp.split(path)
    tmp = osp.join(folder, f'.{name}.tmp')
    try:
        with open(tmp, 'wb') as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        remove_quietly(tmp)
        raise


def read_png(path: str) -> Optional[np.ndarray]:
    """An RGB frame of a PNG, None if the file is missing or not whole."""
    img = cv2.imread(path, cv2.IMREAD_COLOR) if osp.isfile(path) else None
    return None if img is None else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


#: time base of the frames of a variable frame rate output (90 kHz, MPEG's)
FRAME_TIME_BASE = Fraction(1, 90000)


def frames_span(count: int,
                fps: float,
                times: Optional[Sequence[float]] = None) -> float:
    """Seconds that ``count`` frames cover: at ``fps``, or from their
    ``times`` (seconds; the last frame lasts until the next one, or as
    long as the one before it)."""
    if not times or count > len(times):
        return count / fps
    if count < len(times):
        return times[count] - times[0]
    step = times[-1] - times[-2] if count > 1 else 1 / fps
    return times[count - 1] - times[0] + step


class FrameWriter:
    """Write RGB uint8 frames one at a time to a video file or a folder.

    Everything is written to a hidden temporary sibling of ``path`` and
    put in place by :meth:`commit` (``with`` does it when the block ends
    without an error; an error, or a signal turned into an exception,
    removes the temporary output): a failed run leaves nothing behind and
    a previous output untouched. Every write is checked: a failure (a full
    disk, a permission, the codec, closing the container) raises
    :class:`~mmjffra.errors.OutputError` naming the output and the
    cause.

    An existing output is refused unless ``overwrite``; a folder is
    replaced only if it holds nothing but a previous restoration's frames
    (listed in its manifest, ``.mmjffra-restore.json``), and ``src`` (the
    input) is never replaced.

    Args:
        path (str): Output video file (by extension) or folder of PNGs.
        video (VideoOptions): How a video output is written (rate, codec,
            quality, audio, frame times). Default: ``VideoOptions()``.
        overwrite (bool): Replace an existing output. Default: False.
        first_index (int): Number of the first PNG of a folder output.
            Default: 0.
        numbers (Sequence[int], optional): The number of each PNG of a
            folder output, in order (the input frames' own numbers);
            ``first_index`` then is not used. Default: None.
        b_frames (bool): Allow B-frames (x264/x265). Parts that are joined
            without re-encoding are written without. Default: True.
        direct (bool): Write to ``path`` itself (a part of a joint output
            whose folder is already temporary). Default: False.
        quiet (bool): Do not warn that an odd frame size is cropped (a
            later part of a joint output). Default: False.
        src (str, optional): The input, refused as output. Default: None.
    """

    def __init__(self,
                 path: str,
                 video: VideoOptions = VideoOptions(),
                 overwrite: bool = False,
                 first_index: int = 0,
                 numbers: Optional[Sequence[int]] = None,
                 b_frames: bool = True,
                 direct: bool = False,
                 src: Optional[str] = None,
                 quiet: bool = False) -> None:
        self.quiet = quiet
        self.is_video = is_video_path(path)
        if not direct:
            check_output(path, overwrite, src)
        self.path = path
        self.src = src
        self.tmp = path if direct else temp_sibling(path)
        self.direct = direct
        self.video = video
        self.fps = video.fps
        self.codec = video.codec or default_codec(path)
        self.audio_from = video.audio_from if self.is_video else None
        self.first_index = first_index
        self.numbers = numbers
        self.times = video.times if self.is_video else None
        self.b_frames = b_frames
        self.count = 0
        self.files: List[str] = []
        self._container = None
        self._stream = None
        self._audio = None
        self._audio_src = None
        self._created = [] if direct else make_parents(path)
        if not self.is_video:
            try:
                os.makedirs(self.tmp, exist_ok=True)
            except OSError as err:
                remove_parents(self._created)
                raise OutputError(f'cannot write {path!r}: '
                                  f'{os_cause(err)}') from err

    def _open(self, width: int, height: int) -> None:
        import av
        if width < 2 or height < 2:
            raise OutputError(
                f'frames of {width}x{height} are too small for a video '
                'output (a yuv420p video needs at least 2x2): write a '
                'folder output')
        if (width % 2 or height % 2) and not self.quiet:
            warnings.warn(
                f'frames of {width}x{height} are cropped to '
                f'{width - width % 2}x{height - height % 2} in {self.path!r} '
                '(a yuv420p video has an even size); a folder output keeps '
                'every pixel', RestoreWarning)
        self._container = av.open(self.tmp, 'w')
        self._stream = video_stream(self._container, self.codec, self.fps,
                                    width, height, self.video.crf,
                                    self.b_frames, pixel_format(self.path))
        if self.times is not None:
            self._stream.codec_context.time_base = FRAME_TIME_BASE
        if self.audio_from and audio_streams(self.audio_from):
            self._audio_src = av.open(self.audio_from)
            self._audio = self._container.add_stream_from_template(
                self._audio_src.streams.audio[0])

    def _failed(self, what: str, err: BaseException) -> OutputError:
        return OutputError(f'cannot {what} {self.path!r}: {os_cause(err)}')

    def frame_name(self, position: int) -> str:
        """The file name of a folder output's frame at ``position``."""
        number = self.first_index + position if self.numbers is None \
            else self.numbers[position]
        return f'{number:08d}.png'

    def write(self, frame: np.ndarray) -> None:
        """Write one (h, w, 3) RGB uint8 frame."""
        if not self.is_video:
            name = self.frame_name(self.count)
            try:
                write_png(osp.join(self.tmp, name), frame)
            except ValueError as err:
                raise OutputError(f'cannot encode frame {name} of '
                                  f'{self.path!r} as PNG') from err
            except OSError as err:
                raise self._failed(f'write frame {name} to', err) from err
            self.files.append(name)
            self.count += 1
            return
        import av
        try:
            if self._container is None:
                self._open(frame.shape[1], frame.shape[0])
            frame = frame[:self._stream.height, :self._stream.width]
            video_frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(frame), format='rgb24')
            if self.times is not None:
                video_frame.pts = int(
                    round(
                        frames_span(self.count, self.fps, self.times) /
                        FRAME_TIME_BASE))
                video_frame.time_base = FRAME_TIME_BASE
            for packet in self._stream.encode(video_frame):
                self._container.mux(packet)
        except (OSError, av.error.FFmpegError) as err:
            raise self._failed(f'write frame {self.count} to', err) from err
        self.count += 1

    def close(self) -> None:
        """Flush and close a video output (still at its temporary path)."""
        import av
        container, self._container = self._container, None
        audio_src, self._audio_src = self._audio_src, None
        try:
            if container is not None:
                for packet in self._stream.encode():
                    container.mux(packet)
                if self._audio is not None:
                    copy_audio(audio_src, container, self._audio,
                               self.video.audio_start,
                               frames_span(self.count, self.fps, self.times))
                container.close()
        except (OSError, av.error.FFmpegError) as err:
            with contextlib.suppress(Exception):
                container.close()
            raise self._failed('finish', err) from err
        finally:
            if audio_src is not None:
                audio_src.close()

    def commit(self) -> None:
        """Close and put the output in place (the folder with its
        manifest, replacing only a previous restoration's frames)."""
        self.close()
        if self.direct:
            return
        if self.count == 0:
            raise VideoInputError(f'no frame was written to {self.path!r}')
        try:
            if self.is_video:
                replace_durably(self.tmp, self.path)
            else:
                write_manifest(self.tmp, self.files, self.src)
                swap_folder(self.tmp, self.path)
        except OSError as err:
            raise self._failed('put in place', err) from err
        self._created = []

    def abort(self) -> None:
        """Close and remove the temporary output (and the folders made
        for it)."""
        with deferred_signals():
            container, self._container = self._container, None
            for c in (container, self._audio_src):
                if c is not None:
                    with contextlib.suppress(Exception):
                        c.close()
            self._audio_src = None
            if not self.direct:
                remove_quietly(self.tmp)
                remove_parents(self._created)
                self._created = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            self.abort()
            return
        try:
            self.commit()
        except BaseException:
            self.abort()
            raise


def join_video_parts(parts: List[str], dst: str, video: VideoOptions) -> int:
    """Concatenate video parts of one stream without re-encoding.

    The parts (written by :class:`FrameWriter` with ``b_frames=False``, in
    order) are remuxed into ``dst`` with their timestamps shifted by the
    time of the frames before them (at ``video.fps``, or ``video.times``:
    a variable frame rate); the audio of ``video.audio_from`` is copied as
    :class:`FrameWriter` does.

    Returns:
        int: Frames in the joined video.
    """
    import av
    out = av.open(dst, 'w')
    audio_src = audio = None
    fps, times = video.fps, video.times
    try:
        with av.open(parts[0]) as first:
            stream = out.add_stream_from_template(first.streams.video[0])
        if video.audio_from and audio_streams(video.audio_from):
            audio_src = av.open(video.audio_from)
            audio = out.add_stream_from_template(audio_src.streams.audio[0])
        count = 0
        rate = Fraction(fps).limit_denominator(1001)
        for part in parts:
            with av.open(part) as container:
                src = container.streams.video[0]
                # the part's first frame at the exact time of the frames
                # before it (no drift with rates such as 30000/1001)
                before = Fraction(count) / rate if times is None else \
                    Fraction(frames_span(count, fps, times))
                offset = int(round(before / src.time_base))
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
            count += n
        if audio is not None:
            copy_audio(audio_src, out, audio, video.audio_start,
                       frames_span(count, fps, times))
    finally:
        out.close()
        if audio_src is not None:
            audio_src.close()
    return count
