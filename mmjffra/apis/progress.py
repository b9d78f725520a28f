# Copyright (c) mmjffra contributors. All rights reserved.
"""Progress of a restoration on rich's progress bar."""
import sys
from typing import Optional

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress,
                           TimeRemainingColumn)


class RestoreProgress:
    """Frames restored so far, on :class:`rich.progress.Progress`.

    On a terminal rich draws its live bar on stderr. Elsewhere (a log
    file, a pipe) a live bar would be lost or garbled, so a plain line with
    rich's counts and estimates is printed every tenth of the frames (or
    every 30 s), and once at the end.

    Args:
        total (int, optional): Frames to restore, if known.
        enabled (bool): Report at all. Default: True.
        line_seconds (float): Longest time between two plain lines.
            Default: 30.
    """

    def __init__(self,
                 total: Optional[int],
                 enabled: bool = True,
                 line_seconds: float = 30.) -> None:
        self.enabled = enabled
        self.line_seconds = line_seconds
        self.console = Console(file=sys.stderr)
        self.bar = Progress(
            '[progress.description]{task.description}',
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.console,
            disable=not enabled)
        self.task_id = self.bar.add_task('restoring', total=total)
        self.live = enabled and self.console.is_terminal
        self.next_line = 0
        self.line_time = 0.
        self.printed = 0
        if self.live:
            self.bar.start()

    @property
    def task(self):
        """rich.progress.Task: The restoration's task (counts, times)."""
        return self.bar.tasks[0]

    def line(self) -> str:
        """The progress in one line, e.g. ``restored 8/40 frames, 2.00
        frames/s, ETA 0:16``."""
        task = self.task
        done = int(task.completed)
        elapsed = task.elapsed or 0.
        rate = done / elapsed if elapsed > 0 else 0.
        text = f'restored {done}'
        if task.total:
            text += f'/{int(task.total)}'
        text += f' frames, {rate:.2f} frames/s'
        remaining = task.time_remaining
        if task.total and remaining is not None:
            text += f', ETA {int(remaining // 60)}:{int(remaining % 60):02d}'
        return text

    def note(self, text: str) -> None:
        """Print one line of news (what a run resumed from) above the bar."""
        if self.enabled:
            self.console.print(text, highlight=False, markup=False) \
                if self.live else print(text, file=sys.stderr, flush=True)

    def tile(self, done: int, total: int) -> None:
        """Progress within a frame restored in tiles: ``tile done/total``
        beside the bar, or (not on a terminal) a plain line at most every
        ``line_seconds``."""
        if not self.enabled:
            return
        last = done == total
        self.bar.update(
            self.task_id,
            description='restoring'
            if last else f'restoring (tile {done}/{total})')
        elapsed = self.task.elapsed or 0.
        if not self.live and not last and \
                elapsed - self.line_time >= self.line_seconds:
            print(
                f'{self.line()}; frame {int(self.task.completed) + 1}: '
                f'tile {done}/{total}',
                file=sys.stderr,
                flush=True)
            self.line_time = elapsed

    def update(self) -> None:
        """Count one restored frame."""
        self.bar.advance(self.task_id)
        if not self.enabled or self.live:
            return
        task = self.task
        elapsed = task.elapsed or 0.
        step = max(1, int(task.total or 10) // 10)
        if task.completed >= self.next_line or \
                elapsed - self.line_time >= self.line_seconds:
            self.print_line()
            self.next_line = task.completed + step
            self.line_time = elapsed

    def print_line(self) -> None:
        """Print :meth:`line` on stderr."""
        print(self.line(), file=sys.stderr, flush=True)
        self.printed = int(self.task.completed)

    def close(self) -> None:
        """Stop the live bar, or print the last line if not printed."""
        if self.live:
            self.bar.stop()
        elif self.enabled and self.printed != self.task.completed:
            self.print_line()
