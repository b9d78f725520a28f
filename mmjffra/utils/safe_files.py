# Copyright (c) mmjffra contributors. All rights reserved.
"""Outputs that appear complete or not at all, and signals that end a run
through its cleanup code.

Every output of the tools (a restored video, a folder of frames, a metrics
file, a training checkpoint) is written to a hidden sibling of its final
path (:func:`temp_sibling`), flushed to disk and renamed into place
(:func:`replace_durably`): a reader sees the previous file or the new,
complete one, and a failure or a signal leaves only the previous one.
"""
import contextlib
import hashlib
import json
import os
import os.path as osp
import secrets
import signal
import threading
from typing import Dict, Iterator, Sequence

from mmjffra.errors import OutputLockedError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """A run stopped by SIGINT or SIGTERM.

    A ``BaseException`` (as ``KeyboardInterrupt``): ``except Exception``
    does not swallow it, ``with`` blocks and ``finally`` clauses run.

    Args:
        signum (int): The signal.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f'interrupted by {self.name}')

    @property
    def exit_code(self) -> int:
        """int: ``128 + signum`` as a shell reports a signal (130, 143)."""
        return 128 + self.signum


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def signals_as_exceptions(signals: Sequence[int] = STOP_SIGNALS) -> Iterator:
    """Within the block, the first SIGINT or SIGTERM raises
    :class:`Interrupted` in the main thread (later ones are ignored, so
    that they cannot cut the cleanup short); the previous handlers are
    restored when it ends. Does nothing outside the main thread."""
    if not _main_thread():
        yield
        return
    fired = []

    def handler(signum, frame):
        if not fired:
            fired.append(signum)
            raise Interrupted(signum)

    old = {s: signal.signal(s, handler) for s in signals}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def deferred_signals(signals: Sequence[int] = STOP_SIGNALS) -> Iterator:
    """Hold ``signals`` while the block runs (a pair of renames, a
    cleanup): one that arrives takes effect when the block has ended."""
    if not hasattr(signal, 'pthread_sigmask') or not _main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def temp_sibling(path: str, tag: str = 'tmp') -> str:
    """A new hidden name next to ``path``: same folder, the process id and
    a random token in it (two processes never share one, even with the same
    process id in two containers), the same extension (which tells writers
    the format).

    ``out/video.mp4`` -> ``out/.video.tmp<pid>-<token>.mp4``;
    ``out/frames`` -> ``out/.frames.tmp<pid>-<token>``.

    Nothing is created (unlike ``tempfile.mkstemp``): the callers tell
    "nothing was written" (a rank that saves nothing) by the name's absence.
    """
    folder, name = osp.split(osp.abspath(path))
    stem, ext = osp.splitext(name)
    unique = f'{tag}{os.getpid()}-{secrets.token_hex(4)}'
    if osp.isdir(path) or not ext:
        return osp.join(folder, f'.{name}.{unique}')
    return osp.join(folder, f'.{stem}.{unique}{ext}')


def fsync_path(path: str) -> None:
    """Flush a file's (or a folder's entries') data to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(tmp: str, dst: str) -> None:
    """Flush ``tmp``, rename it onto ``dst`` and flush the folder, with
    SIGINT/SIGTERM held for the rename."""
    if osp.isfile(tmp):
        fsync_path(tmp)
    with deferred_signals():
        os.replace(tmp, dst)
    with contextlib.suppress(OSError):  # not every file system allows it
        fsync_path(osp.dirname(osp.abspath(dst)))


def remove_quietly(path: str) -> None:
    """Remove a file or a folder tree of ours if it exists."""
    import shutil
    with deferred_signals():
        if osp.isdir(path) and not osp.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif osp.lexists(path):
            with contextlib.suppress(OSError):
                os.remove(path)


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator:
    """Write ``path`` through a hidden sibling that replaces it only when
    the block has ended without an error; otherwise the sibling is removed
    and ``path`` is untouched.

    Yields:
        str: The temporary path to write to.
    """
    tmp = temp_sibling(path)
    try:
        yield tmp
        if not osp.exists(tmp):
            raise FileNotFoundError(f'nothing was written to {path!r}')
        replace_durably(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise


def lock_path(path: str) -> str:
    """The lock file beside an output: ``out/.video.mp4.lock``."""
    folder, name = osp.split(osp.abspath(path.rstrip('/\\') or path))
    return osp.join(folder, f'.{name}.lock')


@contextlib.contextmanager
def output_lock(path: str) -> Iterator:
    """Hold an exclusive lock on the output ``path`` while the block runs.

    The lock is a ``flock`` on a hidden file beside the output: the kernel
    releases it when the holder exits in any way (SIGKILL included), so a
    crash leaves no stale lock; the file is removed by its holder. A second
    writer of the same output is refused at once. Missing folders of the
    lock are created and, if still empty at the end, removed.

    Raises:
        OutputLockedError: Another process holds the lock.
    """
    import fcntl
    lock = lock_path(path)
    created = []
    folder = osp.dirname(lock)
    while not osp.isdir(folder):
        created.append(folder)
        folder = osp.dirname(folder)
    for folder in reversed(created):
        os.makedirs(folder, exist_ok=True)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputLockedError(
                f'output {path!r} is being written by another restore '
                f'(lock {lock}); wait for it to finish or choose another '
                'output') from None
        try:  # the holder before us may have removed the file meanwhile
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield lock
    finally:
        with deferred_signals():
            remove_quietly(lock)
            os.close(fd)
            for folder in created:  # only the empty ones this lock made
                with contextlib.suppress(OSError):
                    os.rmdir(folder)


def sha256_file(path: str) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def write_json_durably(path: str, data: Dict) -> None:
    """Write ``path`` through a hidden sibling, flushed, then renamed."""
    folder, name = osp.split(path)
    tmp = osp.join(folder, f'.{name}.tmp')
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    replace_durably(tmp, path)
