"""Optional access token. With a token set, every request needs `Authorization: Bearer <token>` or the `token`
cookie; opening any page with `?token=<token>` once sets the cookie (HttpOnly, SameSite=Strict)."""

from __future__ import annotations

import hmac
from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

COOKIE = "token"
_LOGIN_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gene-r1: access token needed</title></head>'
    "<body><h1>401: this gene-r1 server needs an access token</h1><p>{message} Open this page with "
    "<code>?token=YOUR_TOKEN</code> added to its address (ask whoever runs the server), or send "
    "<code>Authorization: Bearer YOUR_TOKEN</code> from scripts.</p></body></html>"
)


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
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
            return response
        if not same_token(presented_token(request), token):
            return unauthorized(request, "Missing or wrong access token.")
        return await call_next(request)

    return check_token
