"""Files that survive a kill: whole-file writes that replace atomically, and append-only JSON lines whose torn
last line is repaired on resume.

It lives in `knowledge_base` (the lowest layer) so that `tools`, `agent` and `training` can all use it without
an import cycle; it imports nothing from the project.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def partial_path(path: Path, suffix: str = ".part") -> Path:
    """The hidden name a file is written under before it replaces `path` (`.NAME.PID.part`, which
    `knowledge_base.heal` recognises as an interrupted write)."""
    return path.with_name(f".{path.name}.{os.getpid()}{suffix}")


@contextmanager
def replacing(path: Path, suffix: str = ".part") -> Iterator[Path]:
    """A temporary path beside `path` that replaces it when the block ends without an error: a reader (or a
    restart after kill -9) sees the old file or the new one, never half. On an error the temporary file goes."""
    tmp = partial_path(path, suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, content: str | bytes, *, fsync: bool = False) -> None:
    """Replace `path` with `content` (text is UTF-8); `fsync` also survives a power cut, at a cost per write."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    with replacing(path) as tmp, tmp.open("wb") as handle:
        handle.write(data)
        if fsync:
            handle.flush()
            os.fsync(handle.fileno())


def write_json_atomic(path: Path, value: object) -> None:
    """Write JSON so that a reader (or a restart after kill -9) sees the old file or the new one, never half."""
    write_atomic(path, json.dumps(value, ensure_ascii=False), fsync=True)


def complete_lines(path: Path) -> list[str]:
    """The newline-terminated, non-blank lines of a file another writer may be appending to (a torn last line is
    ignored, not repaired: use `resume_jsonl` when you are the one who appends next)."""
    if not path.exists():
        return []
    data = path.read_bytes()
    return [line for line in data[: data.rfind(b"\n") + 1].decode("utf-8").splitlines() if line.strip()]


def resume_jsonl(path: Path) -> list[dict]:
    """The records of a JSONL file about to be appended to. A line torn by a kill mid-write is cut off first, so
    the next append starts on a line of its own. Only the file's single writer may call this."""
    if not path.exists():
        return []
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with path.open("r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)
    return [json.loads(line) for line in complete_lines(path)]


def append_jsonl(handle: IO[str], record: dict, *, fsync: bool = True) -> None:
    """One record as one line, flushed (and by default fsynced) so that a kill loses at most the line in flight."""
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    handle.flush()
    if fsync:
        os.fsync(handle.fileno())
