"""One policy for every outbound HTTP call (knowledge-base downloads, the online tools, the OpenAI-compatible
backend): explicit timeouts, and retries with exponential backoff done by urllib3's `Retry` on connection
failures, timeouts and the listed status codes. Callers add their own checks on top (sizes, checksums, JSON)
and turn `HttpFailure` into their own error type.

It lives in `knowledge_base` (the lowest layer, which imports nothing from `tools` or `agent`) so that all three
can use it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.retry import Retry

USER_AGENT = "gene-r1/0.1 (local-first gene set assistant; python-requests)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class HttpFailure(Exception):
    """Every attempt failed in a way worth retrying; `problem` says how the last one did."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retries: int = 2  # attempts after the first
    backoff: float = 1.0  # urllib3's backoff factor: the second retry waits 2 × this, the third 4 × ...
    retry_status: frozenset[int] = RETRY_STATUS

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def retry(self) -> Retry:
        # Every method is retried (POST included: our POSTs are queries), Retry-After is not obeyed (a server
        # could ask for an hour), and the last retryable answer is returned rather than raised, for its status.
        return Retry(
            total=self.retries,
            connect=self.retries,
            read=self.retries,
            status=self.retries,
            redirect=5,
            backoff_factor=self.backoff,
            status_forcelist=self.retry_status,
            allowed_methods=None,
            raise_on_status=False,
            respect_retry_after_header=False,
        )

    def mount(self, session: requests.Session) -> requests.Session:
        adapter = HTTPAdapter(max_retries=self.retry())
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        if session.headers.get("User-Agent", "").startswith("python-requests"):  # requests' own default
            session.headers["User-Agent"] = USER_AGENT
        return session

    def session(self) -> requests.Session:
        return self.mount(requests.Session())


def send(
    policy: HttpPolicy, method: str, url: str, *, session: requests.Session | None = None, **kwargs: Any
) -> requests.Response:
    """One request under `policy`. Returns any answer outside `policy.retry_status` (a 4xx included: the caller
    judges it); raises `HttpFailure` when the last attempt still failed to connect, timed out, or was answered
    with a retryable status."""
    session = policy.session() if session is None else session
    try:
        response = session.request(method, url, timeout=(policy.connect_timeout, policy.read_timeout), **kwargs)
    except (requests.ConnectionError, requests.Timeout) as error:  # anything else is not worth a retry
        raise HttpFailure(describe(error, policy)) from error
    if response.status_code in policy.retry_status:
        detail = response.text[:200].strip()
        response.close()
        raise HttpFailure(f"HTTP {response.status_code}" + (f": {detail}" if detail else ""))
    return response


def describe(error: requests.ConnectionError | requests.Timeout, policy: HttpPolicy) -> str:
    """A failed request in a few words, naming the underlying error (urllib3 wraps the last one in its retry
    error, which requests reports as a ConnectionError even when it was a timeout)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    cause = reason if isinstance(reason, Exception) else error
    if isinstance(cause, NewConnectionError) or not (
        isinstance(error, requests.Timeout) or isinstance(cause, Urllib3Timeout)
    ):
        return f"cannot connect ({_short(f'{type(cause).__name__}: {cause}')})"
    connecting = isinstance(cause, ConnectTimeoutError) or isinstance(error, requests.ConnectTimeout)
    seconds = policy.connect_timeout if connecting else policy.read_timeout
    return f"no answer within {seconds:g} s ({type(cause).__name__})"


def _short(text: str) -> str:
    return text if len(text) < 160 else text[:157] + "..."
