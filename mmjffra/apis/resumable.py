# Copyright (c) mmjffra contributors. All rights reserved.
"""Restorations that survive any interruption and resume where they stopped.

Every restoration writes its output as segments of ``segment`` frames into
a partial folder beside it (:mod:`mmjffra.apis.partial_output`), joins them
and puts the output in place at the end, then removes the folder. A run
that stops with an error or SIGINT/SIGTERM removes it, unless it was asked
to resume (``resume=True``) or the disk was full: then the folder is kept,
and the same call with ``resume=True`` continues after the last whole frame
(for a sequence network, after the last whole chunk), with the output an
uninterrupted run gives: a segment read again starts with the context
frames around it, and a sequence network's chunks keep their grid. Under
``torchrun`` the missing segments are shared out among the ranks in
contiguous blocks and rank 0 joins them.
"""
import contextlib
import errno
import hashlib
import math
import os
import os.path as osp
from typing import Callable, Dict, Iterable, Iterator, List, Optional

import numpy as np

from mmjffra.errors import (OutputError, PartialExistsError,
                            PartialMismatchError, RestorationError)
from .partial_output import PartialOutput
from .progress import RestoreProgress
from .restore_output import VideoOptions
from .segment_writer import SegmentWriter
from .video_io import FrameReader

#: ``restore(frames, skip, count, on_tile)``: the output frames of a stream
#: (``on_tile(done, total)`` is called after each tile of a tiled frame).
StreamFn = Callable[[Iterable[np.ndarray], int, Optional[int], Callable],
                    Iterator[np.ndarray]]


def input_identity(src: str) -> Dict:
    """What tells one input from another: its absolute path and the size
    and modification time of the file (of each file of a folder)."""
    path = osp.abspath(src)
    if osp.isdir(path):
        digest = hashlib.sha256()
        for name in sorted(os.listdir(path)):
            st = os.stat(osp.join(path, name))
            digest.update(f'{name}\0{st.st_size}\0{st.st_mtime_ns}\n'.encode())
        return dict(path=path, files_sha256=digest.hexdigest())
    st = os.stat(path)
    return dict(path=path, size=st.st_size, mtime_ns=st.st_mtime_ns)


def restoration_identity(config, checkpoint: Optional[str], options: Dict,
                         src: str, **output) -> Dict:
    """What makes an output, as a resumed restoration checks it: the input
    (path, size, modification time), the model (the config's text and the
    checkpoint's SHA-256), the restorer's settings and the ``output``
    options that change its pixels."""
    from mmjffra.utils.safe_files import sha256_file
    text = hashlib.sha256(config.pretty_text.encode()).hexdigest()
    model = dict(
        config_sha256=text,
        checkpoint_sha256=sha256_file(checkpoint) if checkpoint else None)
    return dict(
        input=input_identity(src),
        model=model,
        options=dict(options, **output))


def first_difference(old, new, where: str = '') -> Optional[str]:
    """The first key where two identities differ, in words."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            found = first_difference(
                old.get(key), new.get(key), f'{where}.{key}' if where else key)
            if found:
                return found
        return None
    if old != new:
        return f'{where}: {old!r} in the partial, {new!r} now'
    return None


def check_identity(partial: PartialOutput, identity: Dict) -> None:
    """Refuse to resume a partial made by another command."""
    diff = first_difference(partial.manifest.get('identity'), identity)
    if diff:
        raise PartialMismatchError(
            f'cannot resume {partial.dst!r}: its partial restoration '
            f'{partial.path!r} was made by another command ({diff}); '
            'give the same input, model and options, or remove it to '
            'start over', 'resume')


def is_disk_full(err: BaseException) -> bool:
    """An error caused by a full disk or quota (ENOSPC, EDQUOT)."""
    seen = 0
    while err is not None and seen < 10:
        if isinstance(err,
                      OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        err, seen = err.__cause__, seen + 1
    return False


def segment_length(segment: int, grid: int, total: Optional[int],
                   world: int) -> int:
    """Frames per segment: ``segment`` rounded up to a multiple of ``grid``
    (the chunk of a sequence network), at most the frames a rank gets when
    ``world`` ranks share ``total`` frames."""
    length = max(grid, int(math.ceil(segment / grid)) * grid)
    if total and world > 1:
        share = int(math.ceil(math.ceil(total / world) / grid)) * grid
        length = min(length, max(grid, share))
    return length


def missing_runs(done: Dict[int, int], total: Optional[int],
                 length: int) -> List[List[int]]:
    """The segments still to restore, as runs of consecutive indices. With
    an unknown ``total`` (a video whose frame count is not known) the last
    run also goes on to the end of the input, unless the last finished
    segment is short (the input ended there)."""
    if total is not None:
        missing = [
            k for k in range(int(math.ceil(total / length))) if k not in done
        ]
    else:
        last = max(done, default=-1)
        missing = [k for k in range(last) if k not in done]
        if last < 0 or done[last] == length:
            missing.append(last + 1)
    runs: List[List[int]] = []
    for k in missing:
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def share_runs(runs: List[List[int]], rank: int,
               world: int) -> List[List[int]]:
    """This rank's contiguous block of the missing segments, as runs."""
    flat = [k for run in runs for k in run]
    cuts = [-(-len(flat) * r // world) for r in range(world + 1)]
    mine = set(flat[cuts[rank]:cuts[rank + 1]])
    out = []
    for run in runs:
        part = [k for k in run if k in mine]
        if part:
            out.append(part)
    return out


def restore_run(restore: StreamFn, reader: FrameReader, partial: PartialOutput,
                run: List[int], writer: SegmentWriter, open_end: bool,
                context: int, stop: Optional[int],
                bar: RestoreProgress) -> int:
    """Restore the consecutive segments ``run`` (with ``open_end``, on to
    the end of the input), the first one from where ``writer`` stands.

    Args:
        restore (StreamFn): The restoration of a stream of frames.
        reader (FrameReader): The checked input (its ``start`` is frame 0
            of the output).
        partial (PartialOutput): Where the segments go.
        run (list[int]): Consecutive segment indices.
        writer (SegmentWriter): The writer of ``run[0]``.
        open_end (bool): Go on to the end of the input.
        context (int): Frames read beyond each edge.
        stop (int, optional): Output frames in all, if known.
        bar (RestoreProgress): Counts each frame.

    Returns:
        int: Frames restored.
    """
    length = partial.segment
    first = run[0] * length + writer.count
    last = None if open_end else (run[-1] + 1) * length
    if stop is not None:
        last = stop if last is None else min(last, stop)
    # the context around a cut (--start/--end) is read too
    read_from = max(0, reader.start + first - context)
    read_to = None if last is None else reader.start + last + context
    index, restored = run[0], 0
    try:
        if writer.count == length:
            writer.commit()  # stopped before its record
            index, writer = index + 1, None
        if last is None or first < last:
            frames = FrameReader(reader.path, read_from, read_to)
            count = None if last is None else last - first
            skip = reader.start + first - read_from
            for frame in restore(frames, skip, count, bar.tile):
                if writer is None:
                    writer = partial.writer(index)
                writer.write(frame)
                bar.update()
                restored += 1
                if writer.count == length:
                    writer.commit()
                    index, writer = index + 1, None
        if writer is not None and writer.count:
            writer.commit()  # the short last segment
        writer = None
    finally:
        if writer is not None:
            writer.abort()
    return restored


def restore_resumable(restore: StreamFn, reader: FrameReader, dst: str,
                      identity: Dict, resume: bool, segment: int, grid: int,
                      context: int, video: VideoOptions,
                      progress: bool) -> int:
    """Restore ``reader``'s frames into ``dst`` through a partial folder.

    Args:
        restore (StreamFn): The restoration of a stream of frames.
        reader (FrameReader): The checked input (its ``[start, end)``).
        dst (str): The checked output: a video file or a folder.
        identity (dict): What makes the output (input, model, options).
        resume (bool): Continue a partial restoration of ``dst`` with the
            same identity; keep the partial if this run stops too.
        segment (int): Frames per segment (rounded up to ``grid``).
        grid (int): Segments and resumed starts are multiples of it (a
            sequence network's chunk).
        context (int): Frames read beyond each edge of a run of segments.
        video (VideoOptions): How a video output is written.
        progress (bool): Report progress (on rank 0).

    Returns:
        int: Frames in the output.

    Raises:
        PartialExistsError: A partial exists and ``resume`` is False.
        PartialMismatchError: The partial was made by another command.
        RestorationError: One or more ranks failed (each rank's error).
    """
    from mmengine.dist import (all_gather_object, barrier,
                               broadcast_object_list, get_dist_info)
    rank, world = get_dist_info()
    total = reader.total
    if total is None and world > 1:  # every rank needs the same plan
        total = sum(1 for _ in reader)
    partial = PartialOutput(dst, reader.path, video, reader.start,
                            reader.frame_numbers())
    state = [None]
    if rank == 0:
        state[0] = _open_partial(partial, identity, resume, segment, grid,
                                 total, world)
    broadcast_object_list(state, src=0)
    if isinstance(state[0], BaseException):
        raise state[0]
    partial.manifest, done = state[0]
    try:
        written = _restore_share(restore, reader, partial, done, total, grid,
                                 context, progress, rank, world)
        results = all_gather_object(written)
        errors = [r for r in results if isinstance(r, tuple)]
        count = 0
        if rank == 0 and not errors:
            count = partial.assemble()
        counts = all_gather_object(count)
        if errors:
            err = RestorationError('restoration failed on ' +
                                   '; '.join(text for text, _ in errors))
            err.disk_full = any(full for _, full in errors)
            raise err
        return sum(counts)
    except BaseException as err:
        keep = resume or is_disk_full(err) or getattr(err, 'disk_full', False)
        if rank == 0:
            if keep and partial.exists():
                err.partial = (partial.path, partial.frames_in_segments())
            else:
                partial.discard()
        raise
    finally:
        if world > 1:
            with contextlib.suppress(Exception):
                barrier()


def _restore_share(restore: StreamFn, reader: FrameReader,
                   partial: PartialOutput, done: Dict[int, int],
                   total: Optional[int], grid: int, context: int,
                   progress: bool, rank: int, world: int):
    """This rank's missing segments (frames restored); under ``torchrun``
    an error is returned as ``(text, disk full)`` (every rank must reach
    the gather)."""
    length = partial.segment
    stop = total if total is not None else partial.manifest.get('total')
    if stop is None and reader.total is None and reader.end is not None:
        stop = reader.end - reader.start
    runs = [] if partial.manifest.get('complete') else missing_runs(
        done, stop, length)
    open_end = stop is None and bool(runs)
    mine = share_runs(runs, rank, world)
    show = progress and rank == 0
    try:
        writers = []
        for run in mine:  # what a stopped run left of each first segment
            writer = partial.writer(run[0], salvage=True)
            writer.drop_to(writer.count // grid * grid)
            writers.append(writer)
        kept = sum(done.values()) + sum(w.count for w in writers)
        todo = None
        if stop is not None:
            todo = sum(
                min(stop, (r[-1] + 1) * length) - r[0] * length - w.count
                for r, w in zip(mine, writers))
        bar = RestoreProgress(todo, show)
        if kept and mine:
            first = mine[0][0] * length + writers[0].count
            bar.note(f'resuming {partial.dst!r} at frame {first}: '
                     f'{kept} frames were restored before (kept in '
                     f'{partial.path!r})')
        written = 0
        for run, writer in zip(mine, writers):
            last_run = open_end and run[-1] == runs[-1][-1]
            written += restore_run(restore, reader, partial, run, writer,
                                   last_run, context, stop, bar)
        bar.close()
        return written
    except Exception as err:
        if world == 1:
            raise
        return f'rank {rank}: {type(err).__name__}: {err}', is_disk_full(err)


def _open_partial(partial: PartialOutput, identity: Dict, resume: bool,
                  segment: int, grid: int, total: Optional[int], world: int):
    """Rank 0: a new partial folder, or the checked one to resume, with its
    finished segments; an error to raise on every rank otherwise."""
    try:
        if partial.exists():
            if not resume:
                return partial_exists_error(partial)
            partial.read()
            check_identity(partial, identity)
            return partial.manifest, partial.finished(check=True)
        partial.create(identity, segment_length(segment, grid, total, world))
        return partial.manifest, {}
    except OutputError as err:
        return err


def partial_exists_error(partial: PartialOutput) -> PartialExistsError:
    partial.read()
    return PartialExistsError(
        f'{partial.dst!r} has an unfinished restoration '
        f'({partial.frames_in_segments()} frames in {partial.path!r}): add '
        'resume to continue it, or remove that folder to start over', 'resume')


def check_no_partial(dst: str, resume: bool) -> Optional[Dict]:
    """Before any work: refuse an output with a partial restoration unless
    ``resume``; the manifest of the partial to resume, if any."""
    partial = PartialOutput(dst)
    if not partial.exists():
        return None
    if not resume:
        raise partial_exists_error(partial)
    return partial.read()


__all__ = [
    'PartialExistsError', 'PartialMismatchError', 'restore_resumable',
    'check_no_partial', 'is_disk_full', 'segment_length', 'missing_runs',
    'share_runs'
]
