"""HTTP for the online tools: the shared policy (`knowledge_base.http_policy`: timeouts, urllib3 retries with
backoff) plus a JSON check, and one clear error type."""

from __future__ import annotations

import logging
from typing import Any

from gene_r1.knowledge_base.http_policy import USER_AGENT, HttpFailure, HttpPolicy, send
from gene_r1.tools.errors import OnlineServiceError

__all__ = ["USER_AGENT", "HttpPolicy", "request_json"]

log = logging.getLogger(__name__)


def request_json(
    method: str,
    url: str,
    *,
    policy: HttpPolicy = HttpPolicy(),
    params: dict[str, Any] | None = None,
    data: str | None = None,
    service: str = "the web service",
) -> Any:
    """Send one request and decode its JSON answer; connection failures, timeouts, 429 and 5xx are retried."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if data is not None:
        headers["Content-Type"] = "text/plain"
    try:
        response = send(policy, method, url, params=params, data=data.encode() if data is not None else None,
                        headers=headers)
    except HttpFailure as failure:
        log.info("%s: %d attempt(s) failed, the last: %s", service, policy.attempts, failure.problem)
        raise OnlineServiceError(
            f"{service} is unreachable: {failure.problem} from {url} after {policy.attempts} attempts."
        ) from failure
    if response.status_code >= 400:
        raise OnlineServiceError(
            f"{service} refused the request: HTTP {response.status_code} from {url} "
            f"({response.text[:200].strip() or 'no detail'})."
        )
    try:
        return response.json()
    except ValueError as error:
        raise OnlineServiceError(f"{service} answered {url} with something that is not JSON.") from error
