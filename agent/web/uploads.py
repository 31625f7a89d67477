"""Uploaded files are data: checked for size, extension and text content before anything parses them."""

from __future__ import annotations

from pathlib import PurePath
from typing import BinaryIO

ALLOWED_SUFFIXES = (".gmt", ".csv", ".tsv", ".txt", ".tab")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_CHUNK = 1 << 16


class UploadError(ValueError):
    """An upload refused before parsing; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def safe_filename(name: str | None) -> str:
    """The file's own name without any folder part or control character (NUL included), at most 120 characters.
    Only ever shown to the user: files are stored under generated names (`JobStore.create`)."""
    printable = "".join(c for c in (name or "") if c.isprintable())
    base = PurePath(printable.replace("\\", "/")).name.strip()
    return base[-120:] if base not in ("", ".", "..") else "upload.txt"


def read_upload(name: str | None, stream: BinaryIO, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bytes]:
    """(safe file name, content) of an uploaded gene-set file, or `UploadError`."""
    filename = safe_filename(name)
    suffix = PurePath(filename).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(
            f"{filename}: unsupported file type {suffix or '(none)'}. Upload a GMT file (.gmt) or a table "
            f"(.csv, .tsv, .txt, .tab) of gene sets, differential expression or markers.",
            415,
        )
    chunks, size = [], 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadError(f"{filename} is larger than the {max_bytes / 1e6:.0f} MB upload limit.", 413)
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data.strip():
        raise UploadError(f"{filename} is empty.", 400)
    if b"\x00" in data[:65536]:
        raise UploadError(f"{filename} is not a text file (it holds binary data).", 415)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UploadError(
            f"{filename} is not UTF-8 text (byte {error.start}): save it as UTF-8 CSV/TSV or GMT.", 415
        ) from None
    return filename, data
