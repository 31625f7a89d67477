"""A real HTTP server on 127.0.0.1 standing in for Reactome, WikiPathways and HGNC in download tests.

Routes map a path to a `Route`: the body to serve, plus misbehaviour to test against (fail the first N requests with
a 5xx, announce more bytes than are sent, answer slowly). POST routes get the request body and answer from a function.
Every request is logged as (method, path, body).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    fail_first: int = 0  # answer 503 to this many requests before succeeding
    truncate: bool = False  # announce more bytes than are sent, then close
    delay: float = 0.0  # seconds before answering
    headers: dict[str, str] = field(default_factory=dict)
    post: Callable[[bytes], bytes] | None = None  # answers a POST from its body
    served: int = 0


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, str, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server._answer(self, b"")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                server._answer(self, self.rfile.read(length))

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def requests_to(self, path: str) -> list[bytes]:
        return [body for _, p, body in self.log if p == path]

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        self.log.append((handler.command, handler.path, body))
        route = self.routes.get(handler.path)
        if route is None:
            handler.send_error(404)
            return
        route.served += 1
        if route.delay:
            time.sleep(route.delay)
        if route.served <= route.fail_first:
            handler.send_error(503)
            return
        payload = route.post(body) if route.post and handler.command == "POST" else route.body
        handler.send_response(route.status)
        handler.send_header("Content-Type", route.content_type)
        handler.send_header("Content-Length", str(len(payload) + (100 if route.truncate else 0)))
        for name, value in route.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
        if route.truncate:
            handler.close_connection = True
