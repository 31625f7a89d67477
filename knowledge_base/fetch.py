"""Downloads for the knowledge base: the only place it touches the network, under the shared HTTP policy
(`knowledge_base.http_policy`: timeouts, urllib3 retries with backoff) with our checks on top.

Files are streamed to a temporary name with a progress bar, their size checked against Content-Length and their
sha256 computed, then renamed into place: a failed download leaves the previous file untouched. A transfer that
breaks off or comes up short is tried again here (urllib3 retries only what fails before the body).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests

from gene_r1.knowledge_base.fileio import replacing
from gene_r1.knowledge_base.http_policy import HttpFailure, HttpPolicy, send
from gene_r1.knowledge_base.store import KnowledgeBaseError

__all__ = ["DOWNLOAD_POLICY", "Downloaded", "HttpPolicy", "download_file", "get_json", "get_text"]

# Release files are large and their servers slow to start: a long connect timeout and one retry more.
DOWNLOAD_POLICY = HttpPolicy(connect_timeout=60.0, read_timeout=60.0, retries=3, backoff=2.0)


@dataclass(frozen=True)
class Downloaded:
    path: Path
    url: str
    size: int
    sha256: str
    last_modified: str = ""  # the server's Last-Modified date (YYYY-MM-DD), when it sent one


class _Retryable(Exception):
    """A failure worth another attempt: connection, timeout, HTTP 5xx/429, a truncated body."""

    def __init__(self, problem: str, urllib3_retried: bool = False):
        super().__init__(problem)
        self.urllib3_retried = urllib3_retried


def download_file(url: str, dest: Path, *, policy: HttpPolicy = DOWNLOAD_POLICY, show_progress: bool = True,
                  expected_sha256: str | None = None) -> Downloaded:
    """Stream `url` to `dest` (temporary file + rename)."""
    from tqdm.auto import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)

    def attempt() -> Downloaded:
        digest, size = hashlib.sha256(), 0
        # Identity encoding, so that Content-Length counts the bytes we write.
        with replacing(dest) as tmp, _request("GET", url, policy, stream=True,
                                             headers={"Accept-Encoding": "identity"}) as response:
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
        return Downloaded(dest, url, size, digest.hexdigest(), _date(modified))

    return _with_retries(attempt, url, policy)


def get_json(url: str, *, policy: HttpPolicy = DOWNLOAD_POLICY, data: str | None = None) -> Any:
    """GET `url` (or POST `data` as text/plain) and decode its JSON answer."""
    headers = {"Accept": "application/json"} | ({"Content-Type": "text/plain"} if data is not None else {})

    def attempt() -> Any:
        with _request("POST" if data is not None else "GET", url, policy, data=data, headers=headers) as response:
            try:
                return response.json()
            except ValueError as error:
                raise KnowledgeBaseError(f"{url} did not answer JSON ({error}).") from error

    return _with_retries(attempt, url, policy)


def get_text(url: str, *, policy: HttpPolicy = DOWNLOAD_POLICY) -> str:
    def attempt() -> str:
        with _request("GET", url, policy) as response:
            return response.text

    return _with_retries(attempt, url, policy)


def _request(method: str, url: str, policy: HttpPolicy, **kwargs: Any) -> requests.Response:
    try:
        response = send(policy, method, url, **kwargs)
    except HttpFailure as failure:
        raise _Retryable(failure.problem, urllib3_retried=True) from failure
    except requests.RequestException as error:
        raise KnowledgeBaseError(f"Cannot fetch {url}: {error}") from error
    if response.status_code >= 400:
        response.close()
        raise KnowledgeBaseError(f"Cannot fetch {url}: HTTP {response.status_code} {response.reason}.")
    return response


def _with_retries(attempt: Callable[[], Any], url: str, policy: HttpPolicy) -> Any:
    """Retry what urllib3 cannot see (a body that breaks off or comes up short); a failure urllib3 already
    retried `policy.retries` times is final."""
    for number in range(policy.attempts):
        try:
            return attempt()
        except _Retryable as problem:
            if number == policy.retries or problem.urllib3_retried:
                raise KnowledgeBaseError(
                    f"Cannot fetch {url} after {policy.attempts} attempt(s) ({problem}). Check the "
                    "connection, or build offline with `gene-r1 kb build --source-dir DIR`."
                ) from problem
            time.sleep(policy.backoff * 2**number)
    raise AssertionError("unreachable")


def _date(http_date: str) -> str:
    try:
        return parsedate_to_datetime(http_date).date().isoformat() if http_date else ""
    except (TypeError, ValueError):
        return ""
