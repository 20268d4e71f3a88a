"""WeChat's official-account API as the tests need it, on a local port (stdlib ``http.server``).

It issues access tokens for one app id and secret, accepts customer-service text messages sent
with a live token, answers 42001 for a token it was told to expire, and refuses the openids it
was told to refuse with the errcode given.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

APPID, SECRET = "wx0123456789abcdef", "test-app-secret"


@dataclass
class FakeWeChat:
    """What the API was asked, and what it should answer."""

    tokens: list[str] = field(default_factory=list)
    expired: set[str] = field(default_factory=set)
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(access token, body) of every message accepted."""
    refuse: dict[str, tuple[int, str]] = field(default_factory=dict)
    """openid → (errcode, errmsg) to answer instead of sending."""
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._json(self, fake.token(parse_qs(urlparse(self.path).query)))

            def do_POST(self) -> None:
                query = parse_qs(urlparse(self.path).query)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake._json(self, fake.send(query.get("access_token", [""])[0], body))

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests look at what was sent, not at access logs."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def expire_tokens(self) -> None:
        self.expired.update(self.tokens)

    def token(self, query: dict[str, list[str]]) -> dict[str, Any]:
        if query.get("grant_type") != ["client_credential"] or query.get("appid") != [APPID] \
                or query.get("secret") != [SECRET]:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        self.tokens.append(f"TOKEN-{len(self.tokens) + 1}")
        return {"access_token": self.tokens[-1], "expires_in": 7200}

    def send(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        if token in self.expired:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if token not in self.tokens:
            return {"errcode": 40001, "errmsg": "invalid credential"}
        if body["touser"] in self.refuse:
            code, message = self.refuse[body["touser"]]
            return {"errcode": code, "errmsg": message}
        self.sent.append((token, body))
        return {"errcode": 0, "errmsg": "ok"}

    @staticmethod
    def _json(handler: BaseHTTPRequestHandler, answer: dict[str, Any]) -> None:
        data = json.dumps(answer).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
