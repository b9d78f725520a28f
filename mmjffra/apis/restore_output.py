# Copyright (c) mmjffra contributors. All rights reserved.
"""Where a restoration may write, checked before any work is done.

- The input is never replaced: an output that is the input, or a folder
  output that contains it, is refused (with or without ``overwrite``).
- A folder output records the frames it holds in a small manifest
  (:data:`MANIFEST`); replacing the folder removes only those, and a
  folder holding anything else is refused, naming one such file.
- The output's folder is writable and a video output's codec can be
  written into its container (:func:`probe_output`, a tiny test file).
"""
import contextlib
import json
import os
import os.path as osp
import warnings
from dataclasses import dataclass, replace
from typing import List, Optional, Tuple

from mmjffra.errors import (ArgumentError, OutputError, OutputExistsError,
                            RestoreWarning)
from mmjffra.utils.safe_files import (deferred_signals, remove_quietly,
                                      temp_sibling)

#: The video containers a restoration writes: extension -> (default codec,
#: pixel format, whether frames keep their own timestamps: a variable frame
#: rate). The one table every writer reads (segments and torchrun parts are
#: written in the output's own container and joined by stream copy); a new
#: container is one line here.
CONTAINERS = {
    '.mp4': ('libx264', 'yuv420p', True),
    '.m4v': ('libx264', 'yuv420p', True),
    '.mov': ('libx264', 'yuv420p', True),
    '.mkv': ('libx264', 'yuv420p', True),
    '.avi': ('libx264', 'yuv420p', False),
    '.webm': ('libvpx-vp9', 'yuv420p', True),
    '.y4m': ('rawvideo', 'yuv420p', False),
    '.mpg': ('mpeg2video', 'yuv420p', False),
    '.mpeg': ('mpeg2video', 'yuv420p', False),
}
VIDEO_EXTS = tuple(CONTAINERS)
MANIFEST = '.mmjffra-restore.json'


def is_video_path(path: str) -> bool:
    """A video output (by extension), else a folder of PNGs."""
    return path.lower().endswith(VIDEO_EXTS)


def default_codec(path: str) -> str:
    """The codec a video output gets when none is given."""
    return CONTAINERS.get(osp.splitext(path)[1].lower(), CONTAINERS['.mp4'])[0]


def pixel_format(path: str) -> str:
    """The pixel format of a video output."""
    return CONTAINERS.get(osp.splitext(path)[1].lower(), CONTAINERS['.mp4'])[1]


def keeps_frame_times(path: str) -> bool:
    """Whether a video output can hold unevenly timed frames."""
    return CONTAINERS.get(osp.splitext(path)[1].lower(), CONTAINERS['.mp4'])[2]


@dataclass(frozen=True)
class VideoOptions:
    """How a video output is written: one value that every writer takes.

    Args:
        fps (float): Frame rate (with ``times``, the nominal one).
            Default: 25.
        codec (str, optional): Video codec. Default: None, the container's
            (:data:`CONTAINERS`).
        crf (int): Constant rate factor (quality) of x264/x265/VP9.
            Default: 18.
        audio_from (str, optional): Copy the first audio stream of this
            video file (no re-encoding). Default: None.
        audio_start (float): Seconds of that audio the output starts at.
            Default: 0.
        times (tuple[float], optional): The time of each frame in seconds
            (a variable frame rate: the frames keep them, from the first
            one on). Default: None (evenly at ``fps``).
    """
    fps: float = 25.
    codec: Optional[str] = None
    crf: int = 18
    audio_from: Optional[str] = None
    audio_start: float = 0.
    times: Optional[Tuple[float, ...]] = None

    def __post_init__(self):
        if not self.fps > 0:
            raise ArgumentError(f'fps must be positive, got {self.fps}', 'fps')
        if self.times is not None:
            object.__setattr__(self, 'times', tuple(self.times) or None)

    def part(self, first: int, count: int) -> 'VideoOptions':
        """The options of ``count`` frames from ``first`` written as a
        part of this output (their times; the audio is added when the
        parts are joined)."""
        times = None if self.times is None else \
            self.times[first:first + count]
        return replace(self, audio_from=None, times=times)


def output_times(dst: str, times: Optional[List[float]], src: str,
                 fps: float) -> Optional[List[float]]:
    """The frame times a video output keeps: ``times`` (those of a variable
    frame rate input), or None where ``dst``'s container has one rate (the
    frames then go at the average ``fps``, with a warning)."""
    if times and not keeps_frame_times(dst):
        warnings.warn(
            f'{src!r} has a variable frame rate; a '
            f'{osp.splitext(dst)[1].lower()} output has one rate: its '
            f'frames are written at the average {fps:g} fps', RestoreWarning)
        return None
    return times


def os_cause(err: BaseException) -> str:
    """The cause of an error in a few words (``No space left on device``)."""
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    text = ' '.join(str(err).split())
    return text or type(err).__name__


def read_manifest(folder: str) -> List[str]:
    """The frames a previous restoration wrote to ``folder`` (none when it
    has no readable manifest)."""
    try:
        with open(osp.join(folder, MANIFEST)) as f:
            files = json.load(f).get('files', [])
    except (OSError, ValueError, AttributeError):
        return []
    return [f for f in files if isinstance(f, str) and osp.basename(f) == f]


def write_manifest(folder: str, files: List[str], src: str) -> None:
    """Record the frames of a folder output (in the folder itself)."""
    with open(osp.join(folder, MANIFEST), 'w') as f:
        json.dump(
            dict(
                written_by='mmjffra restore_video',
                input=osp.abspath(src) if src else None,
                files=files),
            f,
            indent=1)


def previous_restore(folder: str) -> List[str]:
    """The files of a previous restoration in ``folder``.

    Raises:
        OutputError: The folder holds a file that no restoration wrote (or
            a folder).
    """
    entries = set(os.listdir(folder)) - {MANIFEST}
    ours = entries & set(read_manifest(folder))
    foreign = sorted(entries - ours)
    if foreign:
        more = f' (and {len(foreign) - 1} more)' if len(foreign) > 1 else ''
        raise OutputError(
            f'output folder {folder!r} holds {foreign[0]!r}{more}, which no '
            'restoration wrote: give an empty or new folder (overwrite '
            'replaces only the frames of a previous restoration)', 'overwrite')
    return sorted(ours)


def check_not_input(src: Optional[str], dst: str) -> None:
    """Refuse an output that is the input or a folder that contains it."""
    if not src:
        return
    s, d = osp.realpath(src), osp.realpath(dst)
    if s == d:
        raise OutputError(f'output {dst!r} is the input: give another output '
                          '(the input is never replaced)')
    if not is_video_path(dst) and s.startswith(d.rstrip(os.sep) + os.sep):
        raise OutputError(f'output folder {dst!r} contains the input {src!r}: '
                          'give another output')


def check_output(dst: str,
                 overwrite: bool = False,
                 src: Optional[str] = None) -> List[str]:
    """Check that ``dst`` may be written.

    Args:
        dst (str): A video file (by extension) or a folder for PNGs.
        overwrite (bool): Replace a previous output. Default: False.
        src (str, optional): The input, never to be replaced.

    Returns:
        list[str]: The frames of a previous restoration in a folder output
        (removed when the new output is in place).

    Raises:
        ArgumentError: A name that is neither a video nor a folder.
        OutputExistsError: An existing output without ``overwrite``.
        OutputError: The input, a folder holding other files, a file where
            a folder is asked or the reverse.
    """
    check_not_input(src, dst)
    ext = osp.splitext(dst.rstrip('/' + os.sep))[1]
    if is_video_path(dst):
        if osp.isdir(dst):
            raise OutputError(f'output {dst!r} is a folder, not a video file')
        if osp.lexists(dst) and not overwrite:
            raise OutputExistsError(
                f'output {dst!r} exists; pass overwrite to replace it',
                'overwrite')
        return []
    if ext and not osp.isdir(dst):
        raise ArgumentError(
            f'output {dst!r}: {ext!r} is not a video format this tool writes '
            f'({", ".join(VIDEO_EXTS)}); a folder of PNGs is named without '
            'an extension')
    if osp.islink(dst):
        raise OutputError(f'output folder {dst!r} is a symbolic link: give '
                          'the folder it points to')
    if not osp.exists(dst):
        return []
    if not osp.isdir(dst):
        raise OutputError(f'output {dst!r} is a file, not a folder: give a '
                          'video extension or another name')
    previous = previous_restore(dst)
    if previous and not overwrite:
        raise OutputExistsError(
            f'output {dst!r} exists (a previous restoration, '
            f'{len(previous)} files); pass overwrite to replace it',
            'overwrite')
    return previous


def swap_folder(tmp: str, dst: str) -> None:
    """Put the complete folder ``tmp`` in the place of ``dst``.

    A previous ``dst`` is checked again (it must hold only a previous
    restoration's frames), moved aside, and only its listed files are
    removed; signals are held meanwhile.
    """
    with deferred_signals():
        if not osp.isdir(dst):
            os.replace(tmp, dst)
            return
        previous = previous_restore(dst)
        old = temp_sibling(dst, 'old')
        os.replace(dst, old)
        try:
            os.replace(tmp, dst)
        except OSError:
            os.replace(old, dst)
            raise
        for name in previous + [MANIFEST]:
            with contextlib.suppress(FileNotFoundError):
                os.remove(osp.join(old, name))
        with contextlib.suppress(OSError):
            os.rmdir(old)


def nearest_folder(path: str) -> str:
    """The nearest existing folder at or above ``path``'s folder.

    Raises:
        OutputError: A file stands where a folder of the path should be.
    """
    folder = osp.dirname(osp.abspath(path))
    while not osp.isdir(folder):
        if osp.lexists(folder):
            raise OutputError(f'cannot write {path!r}: {folder!r} is a file, '
                              'not a folder')
        folder = osp.dirname(folder)
    return folder


def make_parents(path: str) -> List[str]:
    """Create the missing folders of ``path``; return them, deepest first
    (to be removed if the output is not written)."""
    created = []
    folder = osp.dirname(osp.abspath(path))
    while not osp.isdir(folder):
        created.append(folder)
        folder = osp.dirname(folder)
    try:
        for folder in reversed(created):
            os.mkdir(folder)
    except OSError as err:
        remove_parents(created)
        raise OutputError(f'cannot create folder {err.filename or folder!r} '
                          f'for the output: {os_cause(err)}') from err
    return created


def remove_parents(created: List[str]) -> None:
    for folder in created:
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def video_stream(container,
                 codec: str,
                 fps: float,
                 width: int,
                 height: int,
                 crf: int,
                 b_frames: bool,
                 pix_fmt: str = 'yuv420p'):
    """Add the video stream of an output (even size for 4:2:0)."""
    from fractions import Fraction
    rate = Fraction(fps).limit_denominator(1001)
    stream = container.add_stream(codec, rate=rate)
    stream.width = width - width % 2
    stream.height = height - height % 2
    stream.pix_fmt = pix_fmt
    options = {}
    if codec in ('libx264', 'libx265'):
        options['crf'] = str(crf)
        if not b_frames:
            options['bf'] = '0'
    elif codec == 'libvpx-vp9':
        options.update(crf=str(crf), b='0')
    stream.options = options
    return stream


def probe_output(dst: str,
                 codec: Optional[str] = None,
                 fps: float = 25.,
                 crf: int = 18) -> None:
    """Write a tiny test output next to ``dst`` (two 16x16 frames for a
    video, an empty file for a folder) and remove it: the folder is
    writable and the codec fits the container, before any work.

    Raises:
        OutputError: The cause, with the codec to use for a video.
    """
    folder = nearest_folder(dst)
    probe = osp.join(folder, osp.basename(temp_sibling(dst, 'probe')))
    try:
        with open(probe, 'wb') as f:
            f.write(b'\0')
            f.flush()
            os.fsync(f.fileno())
    except OSError as err:
        raise OutputError(
            f'cannot write to {folder!r}: {os_cause(err)}') from err
    finally:
        remove_quietly(probe)
    if not is_video_path(dst):
        return
    try:
        _probe_video(probe, codec or default_codec(dst), fps, crf)
    except Exception as err:  # PyAV: the codec does not fit the container
        raise _codec_error(dst, codec, err) from err
    finally:
        remove_quietly(probe)


def _probe_video(path: str, codec: str, fps: float, crf: int) -> None:
    import av
    import numpy as np
    with av.open(path, 'w') as container:
        stream = video_stream(container, codec, fps, 16, 16, crf, True,
                              pixel_format(path))
        frame = av.VideoFrame.from_ndarray(
            np.zeros((16, 16, 3), np.uint8), format='rgb24')
        for _ in range(2):
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _codec_error(dst: str, codec: Optional[str],
                 err: BaseException) -> OutputError:
    ext = osp.splitext(dst)[1].lower()
    used = codec or default_codec(dst)
    default = default_codec(dst)
    hint = f' ({ext} takes {default})' if default != used else \
        ' (try another codec or container)'
    return OutputError(f'cannot write {ext} video {dst!r} with codec '
                       f'{used!r}: {os_cause(err)}{hint}')
