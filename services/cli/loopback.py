"""The terminal's half of single sign-on: a one-shot listener on 127.0.0.1 for the provider's
redirect back (RFC 8252, native apps; the test provider offers no device grant), and the PKCE
verifier that only this process knows."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CALLBACK_PATH = "/callback"
_PAGE_DONE = "统一身份认证已完成，可以关闭此页面，回到终端。"
_PAGE_DONE_EN = "Single sign-on is done: close this page and return to the terminal."


@dataclass
class Callback:
    """What came back to the listener: the query of the one request it accepted."""

    query: dict[str, str] = field(default_factory=dict)
    arrived: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: _Listener

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH or self.server.callback.arrived.is_set():
            self.send_error(404)
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = f"<!doctype html><meta charset='utf-8'><title>rectify</title><p>{_PAGE_DONE}</p>" \
               f"<p>{_PAGE_DONE_EN}</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.callback.query = query
        self.server.callback.arrived.set()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows rectify's own messages only."""


class _Listener(HTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.callback = Callback()


class Loopback:
    """Listening on a free port of 127.0.0.1 until closed."""

    def __init__(self) -> None:
        self._server = _Listener()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"

    def wait(self, timeout: float) -> dict[str, str] | None:
        """The callback's query, or None when nobody came back in time."""
        callback = self._server.callback
        return callback.query if callback.arrived.wait(timeout) else None

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
