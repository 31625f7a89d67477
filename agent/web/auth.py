"""Who may talk to the server: a Host allow-list, the optional access token, and a log that never holds the token.

- Host allow-list (always on): a request whose `Host` header names another machine gets 400. A web page the user
  visits cannot then reach this server by DNS rebinding (a name of the attacker's that resolves to 127.0.0.1: the
  browser sends that name as `Host`). Allowed by default: the bound host, `localhost`, `127.0.0.1` and `::1`.
- Token (optional): every request needs `Authorization: Bearer <token>` or the `token` cookie; opening any page with
  `?token=<token>` once sets the cookie (HttpOnly, SameSite=Strict, and Secure when served over TLS) and redirects
  to the same address without the token.
- Logs: the access log's request lines have any `token=` query value replaced by `REDACTED`.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Iterable
from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

COOKIE = "token"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_LOGIN_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gene-r1: access token needed</title></head>'
    "<body><h1>401: this gene-r1 server needs an access token</h1><p>{message} Open this page with "
    "<code>?token=YOUR_TOKEN</code> added to its address (ask whoever runs the server), or send "
    "<code>Authorization: Bearer YOUR_TOKEN</code> from scripts.</p></body></html>"
)
_TOKEN_IN_QUERY = re.compile(r"((?:^|[?&;])token=)[^&;#\s]*", re.IGNORECASE)


def same_token(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def presented_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.cookies.get(COOKIE)


def unauthorized(request: Request, message: str) -> Response:
    headers = {"WWW-Authenticate": "Bearer"}
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse({"detail": message}, status_code=401, headers=headers)
    return HTMLResponse(_LOGIN_PAGE.format(message=escape(message)), status_code=401, headers=headers)


def token_middleware(token: str):
    async def check_token(request: Request, call_next) -> Response:
        login = request.query_params.get("token")
        if login is not None and request.method == "GET":
            if not same_token(login, token):
                return unauthorized(request, "The token in the address is wrong.")
            target = request.url.remove_query_params("token")
            location = "/" + target.path.lstrip("/") + (f"?{target.query}" if target.query else "")
            response = RedirectResponse(location, status_code=303)
            # Secure only over TLS: a browser would not send a Secure cookie back to a plain-http localhost server.
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
            return response
        if not same_token(presented_token(request), token):
            return unauthorized(request, "Missing or wrong access token.")
        return await call_next(request)

    return check_token


def host_name(header: str) -> str:
    """The host of a `Host` header, without the port, lower-case: `[::1]:8000` -> `::1`, `Lab:80` -> `lab`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def allowed_hosts(bound_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names requests may carry: the bound host, the loopback names, and `extra` (`--allow-host`)."""
    return frozenset(host_name(h) for h in (bound_host, *LOCAL_HOSTS, *extra) if h.strip())


def host_middleware(allowed: frozenset[str]):
    async def check_host(request: Request, call_next) -> Response:
        if host_name(request.headers.get("host", "")) not in allowed:
            return PlainTextResponse(
                "400: this server does not answer to that host name. Whoever runs it can allow the name with "
                "`gene-r1 serve --allow-host NAME`.",
                status_code=400,
            )
        return await call_next(request)

    return check_host


class RedactToken(logging.Filter):
    """Replaces the value of any `token=` query parameter in a log record's arguments (uvicorn's access log
    passes the request path, query string included, as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def redact(text: str) -> str:
    return _TOKEN_IN_QUERY.sub(r"\1REDACTED", text)


def redact_access_log(logger_name: str = "uvicorn.access") -> None:
    """Install `RedactToken` on the access logger once (idempotent)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactToken) for f in logger.filters):
        logger.addFilter(RedactToken())
