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

from mmjffra.errors import OutputError
from mmjffra.utils.safe_files import (deferred_signals, fsync_path,
                                      remove_quietly, replace_durably,
                                      sha256_file, write_json_durably)
from .restore_output import (VideoOptions, is_video_path, swap_folder,
                             write_manifest)
from .segment_writer import SegmentWriter, failed
from .video_writer import join_video_parts

MANIFEST = 'manifest.json'
FORMAT = 1
_RECORD = re.compile(r'^seg_(\d{6,})\.json$')


def partial_path(dst: str) -> str:
    """The partial folder of an output: ``out/.video.mp4.partial``."""
    folder, name = osp.split(osp.abspath(dst.rstrip('/' + os.sep) or dst))
    return osp.join(folder, f'.{name}.partial')


class PartialOutput:
    """The partial folder of one output: its manifest and segments.

    Args:
        dst (str): The output: a video file (by extension) or a folder.
        src (str): The input (its path goes into a folder's manifest).
        video (VideoOptions): How a video output is written (its audio is
            added when the segments are joined).
        first_index (int): Number of the first PNG of a folder output.
        numbers (Sequence[int], optional): The numbers of a folder output's
            PNGs (the input's own), else ``first_index`` on.
    """

    def __init__(self,
                 dst: str,
                 src: str = '',
                 video: VideoOptions = VideoOptions(),
                 first_index: int = 0,
                 numbers: Optional[Sequence[int]] = None) -> None:
        self.dst = dst
        self.src = src
        self.path = partial_path(dst)
        self.is_video = is_video_path(dst)
        self.ext = osp.splitext(dst)[1].lower() if self.is_video else ''
        self.video = video
        self.first_index = first_index
        self.numbers = numbers
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
            raise failed(f'write {self.path!r}', err) from err

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
    def assemble(self) -> int:
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
                self._join(order, joined)
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
            raise failed(f'put {self.dst!r} in place', err) from err
        self.discard()
        return count

    def _join(self, order: List[int], joined: str) -> None:
        parts = [osp.join(self.path, f'seg_{k:06d}{self.ext}') for k in order]
        tmp = osp.join(self.path, '.joined.tmp' + self.ext)
        try:
            join_video_parts(parts, tmp, self.video)
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
