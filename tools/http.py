"""HTTP for the online tools: explicit timeouts, a few retries with backoff, one clear error type."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from tools.errors import OnlineServiceError

log = logging.getLogger(__name__)
USER_AGENT = "gene-r1/0.1 (local-first gene set assistant; python-requests)"
_RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retries: int = 2  # attempts after the first
    backoff: float = 1.0  # seconds, doubled after each failed attempt


def request_json(
    method: str,
    url: str,
    *,
    policy: HttpPolicy = HttpPolicy(),
    params: dict[str, Any] | None = None,
    data: str | None = None,
    service: str = "the web service",
) -> Any:
    """Send one request and decode its JSON answer; retry connection failures, timeouts, 429 and 5xx."""
    import requests

    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if data is not None:
        headers["Content-Type"] = "text/plain"
    problem = ""
    for attempt in range(policy.retries + 1):
        if attempt:
            time.sleep(policy.backoff * 2 ** (attempt - 1))
        try:
            response = requests.request(
                method, url, params=params, data=data.encode() if data is not None else None, headers=headers,
                timeout=(policy.connect_timeout, policy.read_timeout),
            )
        except requests.Timeout:
            problem = f"no answer within {policy.read_timeout:g} s"
        except requests.ConnectionError as error:
            problem = f"cannot connect ({_reason(error)})"
        else:
            if response.status_code in _RETRY_STATUS:
                problem = f"HTTP {response.status_code}"
            elif response.status_code >= 400:
                raise OnlineServiceError(
                    f"{service} refused the request: HTTP {response.status_code} from {url} "
                    f"({response.text[:200].strip() or 'no detail'})."
                )
            else:
                try:
                    return response.json()
                except ValueError as error:
                    raise OnlineServiceError(f"{service} answered {url} with something that is not JSON.") from error
        log.info("%s: attempt %d of %d failed: %s", service, attempt + 1, policy.retries + 1, problem)
    raise OnlineServiceError(f"{service} is unreachable: {problem} from {url} after {policy.retries + 1} attempts.")


def _reason(error: Exception) -> str:
    text = str(error)
    return text if len(text) < 160 else text[:157] + "..."
