# Copyright (c) mmjffra contributors. All rights reserved.
"""One restoration over the ranks of a process group (``torchrun``).

Each rank restores a contiguous segment of the input, reading context
frames at its edges, into a part of a hidden work folder; rank 0 joins the
parts (a video without re-encoding, or a folder of frames with its
manifest) and puts the result in place once every rank has succeeded.
"""
import os
import os.path as osp
from typing import Callable, Iterable, Iterator, List, Optional, Tuple

import numpy as np

from mmjffra.utils.safe_files import (remove_quietly, replace_durably,
                                      temp_sibling)
from .errors import RestorationError
from .progress import RestoreProgress
from .restore_output import is_video_path, swap_folder, write_manifest
from .video_io import FrameReader, FrameWriter, join_video_parts

#: ``restore(frames, skip, count)``: the output frames of a stream.
StreamFn = Callable[[Iterable[np.ndarray], int, Optional[int]],
                    Iterator[np.ndarray]]


def split_segments(total: int,
                   parts: int,
                   grid: int = 1) -> List[Tuple[int, int]]:
    """Contiguous segments ``(start, stop)`` of ``total`` frames for
    ``parts`` ranks, starting on multiples of ``grid`` (the chunk of a
    sequence network, so that the joined output equals that of one
    process); ranks beyond the frames get empty segments.

    Args:
        total (int): Frames of the input.
        parts (int): Number of ranks.
        grid (int): Segments start on its multiples. Default: 1.

    Returns:
        list[tuple[int, int]]: One segment per rank, in order.
    """
    cuts = [
        min(total,
            int(round(total * k / parts / grid)) * grid)
        for k in range(parts + 1)
    ]
    cuts[-1] = total
    return [(cuts[k], cuts[k + 1]) for k in range(parts)]


def restore_file_ranks(restore: StreamFn,
                       segments: Callable[[int, int], List[Tuple[int, int]]],
                       context: int,
                       reader: FrameReader,
                       dst: str,
                       codec: Optional[str],
                       crf: int,
                       progress: bool,
                       fps: float,
                       audio_from: Optional[str] = None,
                       audio_start: float = 0.) -> int:
    """Restore ``reader``'s frames into ``dst``, a segment per rank.

    Args:
        restore (StreamFn): The restoration of a stream of frames.
        segments (Callable): ``segments(total, parts)``, as
            :func:`split_segments`.
        context (int): Frames read beyond each edge of a segment.
        reader (FrameReader): The checked input.
        dst (str): The checked output: a video file or a folder.
        codec (str, optional): Codec of a video output.
        crf (int): Quality of a video output.
        progress (bool): Report progress (on rank 0).
        fps (float): Frame rate of a video output.
        audio_from (str, optional): Copy this file's audio into a video
            output. Default: None.
        audio_start (float): Second of the audio at the first frame.

    Returns:
        int: Frames written by all ranks.

    Raises:
        RestorationError: One or more ranks failed (each rank's error).
    """
    import torch.distributed as dist
    from mmengine.dist import get_dist_info
    rank, world = get_dist_info()
    total = reader.total
    if total is None:  # a container without a frame count: count them
        total = sum(1 for _ in reader)
    names = [temp_sibling(dst, 'parts') if rank == 0 else None]
    dist.broadcast_object_list(names, src=0)
    work = names[0]
    if rank == 0:
        os.makedirs(work, exist_ok=True)
    dist.barrier()
    start, stop = segments(total, world)[rank]
    error, count = None, 0
    part = osp.join(work, f'part_{rank:04d}.mp4') if is_video_path(dst) \
        else work
    try:
        if stop > start:
            writer = FrameWriter(
                part,
                fps,
                codec,
                crf,
                first_index=reader.start + start,
                b_frames=False,
                direct=True)
            count = restore_segment(restore, reader, writer, (start, stop),
                                    context, total, progress and rank == 0)
    except Exception as err:  # every rank must reach the gather
        error = f'rank {rank}: {type(err).__name__}: {err}'
    except BaseException:  # a signal: leave nothing
        if rank == 0:
            remove_quietly(work)
        raise
    results = [None] * world
    dist.all_gather_object(results, (count, error))
    errors = [e for _, e in results if e]
    if rank == 0:
        try:
            if not errors:
                join_parts(work, dst, fps, reader.path, audio_from,
                           audio_start)
        finally:
            remove_quietly(work)
    dist.barrier()
    if errors:
        raise RestorationError('restoration failed on ' + '; '.join(errors))
    return sum(c for c, _ in results)


def restore_segment(restore: StreamFn, reader: FrameReader,
                    writer: FrameWriter, segment: Tuple[int, int],
                    context: int, total: int, progress: bool) -> int:
    """Restore one segment of the input into this rank's part.

    Args:
        restore (StreamFn): The restoration of a stream of frames.
        reader (FrameReader): The whole input.
        writer (FrameWriter): This rank's part (written directly).
        segment (tuple[int, int]): Frames ``(start, stop)`` of the input.
        context (int): Frames read beyond each edge of the segment.
        total (int): Frames of the input.
        progress (bool): Report progress.

    Returns:
        int: Frames written.
    """
    start, stop = segment
    read_start, read_stop = max(0, start - context), min(total, stop + context)
    bar = RestoreProgress(stop - start, progress)
    frames = FrameReader(reader.path, reader.start + read_start,
                         reader.start + read_stop)
    for frame in restore(frames, start - read_start, stop - start):
        writer.write(frame)
        bar.update()
    writer.close()
    bar.close()
    return writer.count


def join_parts(work: str, dst: str, fps: float, src: str,
               audio_from: Optional[str], audio_start: float) -> None:
    """Put the ranks' parts in ``work`` in place as ``dst``: a video joined
    without re-encoding, or the folder of frames with its manifest."""
    if is_video_path(dst):
        parts = sorted(osp.join(work, f) for f in os.listdir(work))
        tmp = temp_sibling(dst, 'tmp')
        try:
            join_video_parts(parts, tmp, fps, audio_from, audio_start)
            replace_durably(tmp, dst)
        finally:
            remove_quietly(tmp)
    else:
        write_manifest(work, sorted(os.listdir(work)), src)
        swap_folder(work, dst)
