"""Batch progress that suits where it goes: a live bar on a terminal, a plain line at most every 10 s elsewhere.

A terminal redraws tqdm's bar in place. A file or a pipe (CI logs, nohup, Slurm, a web server's log) keeps every
redraw: 1,000 sets with stderr to a file wrote thousands of carriage-return updates into one line of hundreds of
kilobytes. There, progress is a line of its own (`120/1000 sets (12%), 3.2 sets/s, ETA 4 min 35 s`), written at
most once per `interval` seconds, with no carriage return; `--quiet` writes nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Protocol

INTERVAL = 10.0  # seconds between two progress lines in a log
CLOCK: Callable[[], float] = time.monotonic


class Progress(Protocol):
    def update(self, n: int = 1) -> None: ...

    def phase(self, text: str) -> None: ...

    def close(self) -> None: ...


ProgressFactory = Callable[[int, int], Progress]  # (total sets, sets already done) -> Progress


class Silent:
    def update(self, n: int = 1) -> None:
        pass

    def phase(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


class Bar:
    """tqdm's live bar, for a terminal."""

    def __init__(self, total: int, initial: int, stream: IO[str]):
        from tqdm import tqdm

        self._bar = tqdm(total=total, initial=initial, unit="set", file=stream)

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def phase(self, text: str) -> None:
        self._bar.set_postfix_str(text, refresh=True)

    def close(self) -> None:
        self._bar.close()


class Lines:
    """A progress line at most every `interval` seconds of `clock`, handed to `emit` (a print, a logger)."""

    def __init__(self, total: int, initial: int, emit: Callable[[str], None], *, interval: float = INTERVAL,
                 clock: Callable[[], float] | None = None, label: str = "gene-r1 batch"):
        self.total, self.done, self.emit, self.interval, self.label = total, initial, emit, interval, label
        self.clock = clock or CLOCK
        self.started = self.clock()
        self.initial = initial
        self.last: float | None = None
        self._say(self.started)  # where a resumed run starts

    def update(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if self.last is None or now - self.last >= self.interval:
            self._say(now)

    def phase(self, text: str) -> None:
        pass  # a phase changes every few seconds: on a terminal bar only

    def close(self) -> None:
        pass  # the caller reports the end (the batch command prints its summary)

    def _say(self, now: float) -> None:
        self.last = now
        self.emit(progress_line(self.label, self.done, self.total, self.done - self.initial, now - self.started))


def progress_line(label: str, done: int, total: int, analysed: int, seconds: float) -> str:
    """`gene-r1 batch: 120/1000 sets (12%), 3.2 sets/s, ETA 4 min 35 s` (rate and ETA over this run's sets)."""
    share = f" ({100 * done / total:.0f}%)" if total else ""
    line = f"{label}: {done}/{total} sets{share}"
    if analysed > 0 and seconds > 0:
        rate = analysed / seconds
        line += f", {rate:.2g} sets/s, ETA {duration_text((total - done) / rate)}"
    return line


def duration_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def terminal_progress(show: bool = True, stream: IO[str] | None = None) -> ProgressFactory:
    """For a command's stderr: a bar on a terminal, lines in a file or pipe, nothing when not `show` (--quiet)."""

    def make(total: int, initial: int) -> Progress:
        out = stream or sys.stderr
        if not show:
            return Silent()
        if out.isatty():
            return Bar(total, initial, out)
        return Lines(total, initial, lambda line: print(line, file=out, flush=True))

    return make


def log_progress(emit: Callable[[str], None], label: str = "gene-r1 batch") -> ProgressFactory:
    """For a log (the web server's job log): lines through `emit`, e.g. a logger's `info`."""
    return lambda total, initial: Lines(total, initial, emit, label=label)
