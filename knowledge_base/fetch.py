"""HTTP with a timeout, retries and checks: the only place the knowledge base touches the network.

Files are streamed to a temporary name with a progress bar, their size checked against Content-Length and their
sha256 computed, then renamed into place: a failed download leaves the previous file untouched.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests

from knowledge_base.store import KnowledgeBaseError


@dataclass(frozen=True)
class HttpPolicy:
    timeout: float = 60.0  # seconds, per connect and per read
    retries: int = 3  # attempts after the first
    backoff: float = 2.0  # seconds before the first retry, doubled each time


@dataclass(frozen=True)
class Downloaded:
    path: Path
    url: str
    size: int
    sha256: str
    last_modified: str = ""  # the server's Last-Modified date (YYYY-MM-DD), when it sent one


class _Retryable(Exception):
    """A failure worth another attempt: connection, timeout, HTTP 5xx/429, a truncated body."""


def download_file(url: str, dest: Path, *, policy: HttpPolicy = HttpPolicy(), show_progress: bool = True,
                  expected_sha256: str | None = None) -> Downloaded:
    """Stream `url` to `dest` (temporary file + rename)."""
    from tqdm.auto import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")

    def attempt() -> Downloaded:
        digest, size = hashlib.sha256(), 0
        # Identity encoding, so that Content-Length counts the bytes we write.
        with _request("GET", url, policy, stream=True, headers={"Accept-Encoding": "identity"}) as response:
            expected = int(response.headers.get("Content-Length") or 0) or None
            with tmp.open("wb") as handle, tqdm(total=expected, unit="B", unit_scale=True, leave=False,
                                                desc=dest.name, disable=not show_progress) as bar:
                try:
                    for chunk in response.iter_content(chunk_size=1 << 16):
                        handle.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                        bar.update(len(chunk))
                except requests.RequestException as error:
                    raise _Retryable(f"the transfer broke off ({error})") from error
            if expected is not None and size != expected:
                raise _Retryable(f"got {size} bytes where the server announced {expected}")
            modified = response.headers.get("Last-Modified", "")
        if expected_sha256 and digest.hexdigest() != expected_sha256.lower():
            raise KnowledgeBaseError(f"The download of {url} has sha256 {digest.hexdigest()}, expected "
                                     f"{expected_sha256}: refusing it.")
        os.replace(tmp, dest)
        return Downloaded(dest, url, size, digest.hexdigest(), _date(modified))

    try:
        return _with_retries(attempt, url, policy)
    finally:
        tmp.unlink(missing_ok=True)


def get_json(url: str, *, policy: HttpPolicy = HttpPolicy(), data: str | None = None) -> Any:
    """GET `url` (or POST `data` as text/plain) and decode its JSON answer."""
    headers = {"Accept": "application/json"} | ({"Content-Type": "text/plain"} if data is not None else {})

    def attempt() -> Any:
        with _request("POST" if data is not None else "GET", url, policy, data=data, headers=headers) as response:
            try:
                return response.json()
            except ValueError as error:
                raise KnowledgeBaseError(f"{url} did not answer JSON ({error}).") from error

    return _with_retries(attempt, url, policy)


def get_text(url: str, *, policy: HttpPolicy = HttpPolicy()) -> str:
    def attempt() -> str:
        with _request("GET", url, policy) as response:
            return response.text

    return _with_retries(attempt, url, policy)


def _request(method: str, url: str, policy: HttpPolicy, **kwargs: Any) -> requests.Response:
    try:
        response = requests.request(method, url, timeout=policy.timeout, **kwargs)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise _Retryable(f"{type(error).__name__}: {error}") from error
    except requests.RequestException as error:
        raise KnowledgeBaseError(f"Cannot fetch {url}: {error}") from error
    if response.status_code == 429 or response.status_code >= 500:
        response.close()
        raise _Retryable(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        response.close()
        raise KnowledgeBaseError(f"Cannot fetch {url}: HTTP {response.status_code} {response.reason}.")
    return response


def _with_retries(attempt: Callable[[], Any], url: str, policy: HttpPolicy) -> Any:
    for number in range(policy.retries + 1):
        try:
            return attempt()
        except _Retryable as problem:
            if number == policy.retries:
                raise KnowledgeBaseError(
                    f"Cannot fetch {url} after {policy.retries + 1} attempt(s) ({problem}). Check the "
                    "connection, or build offline with `gene-r1 kb build --source-dir DIR`."
                ) from problem
            time.sleep(policy.backoff * 2**number)
    raise AssertionError("unreachable")


def _date(http_date: str) -> str:
    try:
        return parsedate_to_datetime(http_date).date().isoformat() if http_date else ""
    except (TypeError, ValueError):
        return ""
