# Copyright (c) mmjffra contributors. All rights reserved.
"""The partial folder of an output being restored, kept across runs.

``.<name>.partial/`` beside the output holds:

- ``manifest.json``: what made it (:meth:`PartialOutput.create`: the
  input's identity, the model's config and checkpoint hashes, every option
  that changes pixels) and the segment length;
- the segments: for a video output ``seg_<k>.<ext>``, each a stream of its
  own (no B-frames reach across segments), joined without re-encoding at
  the end; for a folder output the PNGs in ``frames/``, numbered as in the
  final output;
- ``seg_<k>.json``: the record of a finished segment (its frame count and
  the SHA-256 of each of its files), written only once its files are on
  the disk (``fsync``), and re-checked when a run resumes: a truncated or
  corrupted segment is redone;
- the frames of an unfinished video segment, as lossless PNGs in
  ``pending_<k>/``: a resumed run encodes them instead of restoring them.

Each frame file is written under a temporary name and renamed, so a killed
run leaves only whole frames; a power cut loses at most the segment since
the last ``fsync``.
"""
import json
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from mmjffra.errors import OutputError
from mmjffra.utils.safe_files import (deferred_signals, fsync_path,
                                      remove_quietly, replace_durably,
                                      sha256_file, write_json_durably)
from .restore_output import is_video_path, swap_folder, write_manifest
from .video_writer import FrameWriter, join_video_parts, read_png, write_png

MANIFEST = 'manifest.json'
FORMAT = 1
_RECORD = re.compile(r'^seg_(\d{6,})\.json$')
FAST_PNG = (cv2.IMWRITE_PNG_COMPRESSION, 1)  # pending frames: kept briefly


def partial_path(dst: str) -> str:
    """The partial folder of an output: ``out/.video.mp4.partial``."""
    folder, name = osp.split(osp.abspath(dst.rstrip('/' + os.sep) or dst))
    return osp.join(folder, f'.{name}.partial')


def _failed(what: str, err: OSError) -> OutputError:
    return OutputError(f'cannot {what}: {err.strerror or err}')


class PartialOutput:
    """The partial folder of one output: its manifest and segments.

    Args:
        dst (str): The output: a video file (by extension) or a folder.
        src (str): The input (its path goes into a folder's manifest).
        fps (float): Frame rate of a video output.
        codec (str, optional): Codec of a video output.
        crf (int): Quality of a video output.
        first_index (int): Number of the first PNG of a folder output.
        numbers (Sequence[int], optional): The numbers of a folder output's
            PNGs (the input's own), else ``first_index`` on.
        times (Sequence[float], optional): The time of each frame of a
            video output (a variable frame rate), else evenly at ``fps``.
    """

    def __init__(self,
                 dst: str,
                 src: str = '',
                 fps: float = 25.,
                 codec: Optional[str] = None,
                 crf: int = 18,
                 first_index: int = 0,
                 numbers: Optional[Sequence[int]] = None,
                 times: Optional[Sequence[float]] = None) -> None:
        self.dst = dst
        self.src = src
        self.path = partial_path(dst)
        self.is_video = is_video_path(dst)
        self.ext = osp.splitext(dst)[1].lower() if self.is_video else ''
        self.fps = fps
        self.codec = codec
        self.crf = crf
        self.first_index = first_index
        self.numbers = numbers
        self.times = times
        self.manifest: Dict = {}

    # ----------------------------------------------------------- manifest
    def exists(self) -> bool:
        """Whether a partial restoration (with its manifest) is there."""
        return osp.isfile(osp.join(self.path, MANIFEST))

    def read(self) -> Dict:
        """The manifest of an existing partial folder.

        Raises:
            OutputError: It cannot be read (remove the folder).
        """
        try:
            with open(osp.join(self.path, MANIFEST)) as f:
                manifest = json.load(f)
            if manifest.get('format') != FORMAT:
                raise ValueError(f'format {manifest.get("format")!r}')
            int(manifest['segment'])
        except (OSError, ValueError, KeyError, TypeError,
                AttributeError) as err:
            raise OutputError(
                f'the partial restoration {self.path!r} cannot be read '
                f'({err}): remove it to start over') from err
        self.manifest = manifest
        return manifest

    def create(self, identity: Dict, segment: int) -> None:
        """Start a new partial folder.

        Raises:
            OutputError: Something else (not an empty folder left by a run
                killed before its manifest) is at the partial's path.
        """
        if osp.lexists(self.path):
            frames = osp.join(self.path, 'frames')
            entries = [] if osp.islink(
                self.path) or not osp.isdir(self.path) else os.listdir(
                    self.path)
            empty = osp.isdir(self.path) and not osp.islink(self.path) and (
                not entries or entries == ['frames'] and osp.isdir(frames)
                and not os.listdir(frames))
            if not empty:
                raise OutputError(
                    f'{self.path!r} is in the way of the partial restoration '
                    f'of {self.dst!r} and was not written by one: move it')
        try:
            os.makedirs(osp.join(self.path, 'frames'), exist_ok=True)
            self.manifest = dict(
                format=FORMAT,
                written_by='mmjffra restore_video',
                output=osp.abspath(self.dst),
                identity=identity,
                segment=segment,
                total=None,
                complete=False)
            write_json_durably(osp.join(self.path, MANIFEST), self.manifest)
        except OSError as err:
            raise _failed(f'write {self.path!r}', err) from err

    def update(self, **values) -> None:
        self.manifest.update(values)
        write_json_durably(osp.join(self.path, MANIFEST), self.manifest)

    @property
    def segment(self) -> int:
        """int: Frames per segment."""
        return int(self.manifest['segment'])

    # ----------------------------------------------------------- segments
    def record_path(self, index: int) -> str:
        return osp.join(self.path, f'seg_{index:06d}.json')

    def finished(self, check: bool = True) -> Dict[int, int]:
        """The finished segments: index -> frames. With ``check``, every
        record's files are hashed again and a segment that does not match
        (a truncated or corrupted file) is removed, to be redone."""
        done = {}
        for name in os.listdir(self.path):
            match = _RECORD.match(name)
            if not match:
                continue
            index = int(match.group(1))
            try:
                with open(osp.join(self.path, name)) as f:
                    record = json.load(f)
                frames, files = int(record['frames']), dict(record['files'])
                ok = frames > 0 and (not check or all(
                    sha256_file(osp.join(self.path, file)) == digest
                    for file, digest in files.items()))
            except (OSError, ValueError, KeyError, TypeError):
                ok = False
            if ok:
                done[index] = frames
            elif check:
                remove_quietly(osp.join(self.path, name))
        last = max(done, default=-1)  # only the last one may be short
        for index in [
                k for k, n in done.items() if k != last and n != self.segment
        ]:
            remove_quietly(self.record_path(index))
            done.pop(index)
        return done

    def frames_in_segments(self) -> int:
        """Frames of the finished segments (records not re-checked)."""
        return sum(self.finished(check=False).values())

    def writer(self, index: int, salvage: bool = False) -> 'SegmentWriter':
        """The writer of segment ``index``; with ``salvage``, starting with
        the whole frames that a stopped run wrote of it."""
        return SegmentWriter(self, index, salvage)

    # ----------------------------------------------------------- the end
    def assemble(self, audio_from: Optional[str], audio_start: float) -> int:
        """Join the segments, put the output in place and remove the
        partial folder (a run stopped in between redoes only what is not
        yet in place).

        Returns:
            int: Frames in the output.
        """
        done = self.finished(check=False)
        order = sorted(done)
        count = sum(done.values())
        if count == 0:
            raise OutputError(f'no frame was written to {self.dst!r}')
        if order != list(range(len(order))):
            raise OutputError(f'the partial restoration {self.path!r} lacks '
                              'segments: resume it again')
        joined = osp.join(self.path, 'joined' + self.ext)
        frames = osp.join(self.path, 'frames')
        if not self.manifest.get('complete'):
            if self.is_video:
                self._join(order, joined, audio_from, audio_start)
            else:
                names = self._frame_names(order)
                for name in set(os.listdir(frames)) - set(names):
                    remove_quietly(osp.join(frames, name))  # unfinished
                write_manifest(frames, names, self.src)
                fsync_path(frames)
            self.update(total=count, complete=True)
        try:  # complete: what is joined goes in place once
            if self.is_video and osp.exists(joined):
                replace_durably(joined, self.dst)
            elif not self.is_video and osp.isdir(frames):
                swap_folder(frames, self.dst)
        except OSError as err:
            raise _failed(f'put {self.dst!r} in place', err) from err
        self.discard()
        return count

    def _join(self, order: List[int], joined: str, audio_from: Optional[str],
              audio_start: float) -> None:
        parts = [osp.join(self.path, f'seg_{k:06d}{self.ext}') for k in order]
        tmp = osp.join(self.path, '.joined.tmp' + self.ext)
        try:
            join_video_parts(parts, tmp, self.fps, audio_from, audio_start,
                             self.times)
            replace_durably(tmp, joined)
        except Exception as err:  # PyAV's errors (OSError among them)
            remove_quietly(tmp)
            raise OutputError(
                f'cannot join the segments of {self.dst!r}: '
                f'{getattr(err, "strerror", None) or err}') from err

    def _frame_names(self, order: List[int]) -> List[str]:
        names = []
        for k in order:
            with open(self.record_path(k)) as f:
                files = json.load(f)['files']
            names += [osp.basename(p) for p in sorted(files)]
        return names

    def discard(self) -> None:
        """Remove the partial folder."""
        with deferred_signals():
            remove_quietly(self.path)


class SegmentWriter:
    """Write one segment, then its record once its files are on the disk.

    A video segment is encoded into its own file and each of its frames is
    also kept as a lossless PNG until the segment is finished; a folder
    output's frames go into ``frames/`` under their final names.

    Args:
        partial (PartialOutput): The partial folder.
        index (int): The segment.
        salvage (bool): Start with the whole frames that a stopped run
            wrote of this segment (the PNGs), encoding them again.
    """

    def __init__(self, partial: PartialOutput, index: int,
                 salvage: bool) -> None:
        self.partial = partial
        self.index = index
        length = partial.segment
        first = index * length
        root = partial.path
        self.pending = osp.join(root, f'pending_{index:06d}')
        try:
            if partial.is_video:
                kept = self._pending_frames() if salvage else []
                if not kept:
                    remove_quietly(self.pending)
                os.makedirs(self.pending, exist_ok=True)
                self.file = f'seg_{index:06d}{partial.ext}'
                remove_quietly(osp.join(root, self.file))
                self.writer = FrameWriter(
                    osp.join(root, self.file),
                    partial.fps,
                    partial.codec,
                    partial.crf,
                    times=None if partial.times is None else
                    partial.times[first:first + length],
                    b_frames=False,
                    direct=True,
                    quiet=index > 0)
                for frame in kept:
                    self.writer.write(frame)
            else:
                numbers = None
                if partial.numbers is not None:
                    numbers = list(partial.numbers[first:first + length])
                self.writer = FrameWriter(
                    osp.join(root, 'frames'),
                    first_index=partial.first_index + first,
                    numbers=numbers,
                    direct=True)
                if salvage:
                    self._keep_frames(length)
        except OSError as err:
            raise _failed(f'write segment {index} of {partial.dst!r}',
                          err) from err

    def _pending_frames(self) -> List[np.ndarray]:
        frames = []
        while True:
            frame = read_png(osp.join(self.pending, f'{len(frames):06d}.png'))
            if frame is None:
                return frames
            frames.append(frame)

    def _keep_frames(self, length: int) -> None:
        """Count the whole frames a stopped run wrote of this segment."""
        folder = self.writer.tmp
        while self.writer.count < length:
            name = self.writer.frame_name(self.writer.count)
            if read_png(osp.join(folder, name)) is None:
                break
            self.writer.files.append(name)
            self.writer.count += 1

    def drop_to(self, count: int) -> None:
        """Keep only the first ``count`` frames (a salvaged start aligned
        to a sequence network's chunk)."""
        if self.writer.count <= count:
            return
        if self.partial.is_video:
            kept = self._pending_frames()[:count]
            self.writer.abort()
            self.__init__(self.partial, self.index, False)
            for frame in kept:
                self.write(frame)
        else:
            for name in self.writer.files[count:]:
                remove_quietly(osp.join(self.writer.tmp, name))
            self.writer.files = self.writer.files[:count]
            self.writer.count = count

    @property
    def count(self) -> int:
        """int: Frames in the segment so far."""
        return self.writer.count

    def write(self, frame: np.ndarray) -> None:
        """Write one (h, w, 3) RGB uint8 frame."""
        if self.partial.is_video:
            try:
                write_png(
                    osp.join(self.pending, f'{self.writer.count:06d}.png'),
                    frame, FAST_PNG)
            except OSError as err:
                raise _failed(
                    f'write frame {self.writer.count} of segment '
                    f'{self.index} of {self.partial.dst!r}', err) from err
        self.writer.write(frame)

    def commit(self) -> None:
        """Close the segment, flush its files and write its record."""
        self.writer.close()
        root = self.partial.path
        try:
            if self.partial.is_video:
                files = [self.file]
            else:
                files = [f'frames/{name}' for name in self.writer.files]
            for file in files:
                fsync_path(osp.join(root, file))
            fsync_path(osp.join(root, 'frames'))
            record = dict(
                frames=self.writer.count,
                files={f: sha256_file(osp.join(root, f))
                       for f in files})
            write_json_durably(self.partial.record_path(self.index), record)
        except OSError as err:
            raise _failed(
                f'write segment {self.index} of '
                f'{self.partial.dst!r}', err) from err
        remove_quietly(self.pending)

    def abort(self) -> None:
        """Close the segment's file; its whole frames stay to be salvaged."""
        self.writer.abort()
