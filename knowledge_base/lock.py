"""One build per data home: an `fcntl.flock` on `.kb-build.lock`, which names the PID that holds it.

The kernel drops a flock when its process dies, so a build killed with `kill -9` leaves no lock that blocks the next
one: the file it leaves behind (with a dead PID in it) is simply locked again and removed on release. The file is
removed while still locked; a process that opened it just before must then retry on the new file (checked by inode),
or two builds could hold locks on two different files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from gene_r1.knowledge_base.store import KnowledgeBaseError

LOCK_NAME = ".kb-build.lock"


class BuildLockedError(KnowledgeBaseError):
    """Another process (or thread) is building this data home."""


def lock_path(home: Path) -> Path:
    return home / LOCK_NAME


@contextlib.contextmanager
def build_lock(home: Path) -> Iterator[None]:
    """Hold the build lock of `home`; `KnowledgeBaseError` naming the holder's PID when another process has it."""
    handle = _acquire(home)
    if handle is None:
        holder = lock_holder(home)
        who = f" (PID {holder})" if holder else ""
        raise BuildLockedError(f"Another `gene-r1 kb build` is running on {home}{who}; wait for it to finish.")
    with _held(home, handle):
        yield


@contextlib.contextmanager
def try_build_lock(home: Path) -> Iterator[bool]:
    """Hold the lock if it is free (yields True), else yield False at once: for clean-ups that can wait."""
    handle = _acquire(home)
    if handle is None:
        yield False
        return
    with _held(home, handle):
        yield True


def wait_until_free(home: Path, on_wait: Callable[[int | None], None] | None = None) -> None:
    """Block until no build holds the lock of `home` (at once when none does); `on_wait(pid)` is called first if
    one does, to say why we wait."""
    try:
        handle = lock_path(home).open("r", encoding="ascii")
    except FileNotFoundError:
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(lock_holder(home))
            fcntl.flock(handle, fcntl.LOCK_SH)  # granted once the builder's exclusive lock is gone
        fcntl.flock(handle, fcntl.LOCK_UN)


def lock_holder(home: Path) -> int | None:
    """The PID written in the lock file (None when absent or unreadable)."""
    try:
        return int(lock_path(home).read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _acquire(home: Path) -> IO[str] | None:
    path = lock_path(home)
    home.mkdir(parents=True, exist_ok=True)
    while True:
        handle = path.open("a+", encoding="ascii")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        try:
            if os.fstat(handle.fileno()).st_ino == path.stat().st_ino:
                return handle
        except FileNotFoundError:
            pass
        handle.close()  # the holder removed the file after we opened it: lock the current one


@contextlib.contextmanager
def _held(home: Path, handle: IO[str]) -> Iterator[None]:
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        lock_path(home).unlink(missing_ok=True)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
