# Copyright (c) mmjffra contributors. All rights reserved.
"""The writer of one segment of a partial output (see
:mod:`mmjffra.apis.partial_output`)."""
import os
import os.path as osp
from typing import TYPE_CHECKING, List

import cv2
import numpy as np

from mmjffra.errors import OutputError
from mmjffra.utils.safe_files import (fsync_path, remove_quietly, sha256_file,
                                      write_json_durably)
from .restore_output import os_cause
from .video_writer import FrameWriter, read_png, write_png

if TYPE_CHECKING:
    from .partial_output import PartialOutput

FAST_PNG = (cv2.IMWRITE_PNG_COMPRESSION, 1)  # pending frames: kept briefly


def failed(what: str, err: OSError) -> OutputError:
    """The error of a partial output's file that cannot be written."""
    return OutputError(f'cannot {what}: {os_cause(err)}')


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

    def __init__(self, partial: 'PartialOutput', index: int,
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
                    partial.video.part(first, length),
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
            raise failed(f'write segment {index} of {partial.dst!r}',
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
                raise failed(
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
            raise failed(
                f'write segment {self.index} of '
                f'{self.partial.dst!r}', err) from err
        remove_quietly(self.pending)

    def abort(self) -> None:
        """Close the segment's file; its whole frames stay to be salvaged."""
        self.writer.abort()
