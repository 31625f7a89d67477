"""One batch run per output directory: an exclusive `flock` on `DIR/.batch.lock`, holding the owner's PID.

A lock held by `flock` on an open file dies with the process (even on SIGKILL), so a crashed run never leaves a
stale lock behind; the PID written into the file is only there to tell the user who holds it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".batch.lock"


class OutputLockedError(RuntimeError):
    """Another batch run is writing to the same output directory."""


@contextmanager
def exclusive_output(out_dir: Path) -> Iterator[Path]:
    """Hold `out_dir` for this process, or raise `OutputLockedError` naming the PID of the run that holds it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_FILE
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            raise OutputLockedError(
                f"Another `gene-r1 batch` run (PID {owner}) is writing to {out_dir}; wait for it to finish, "
                "or choose another --out."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield path
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
