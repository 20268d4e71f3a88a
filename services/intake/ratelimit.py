"""Rate limits per client address: filing reports, and looking up tracking numbers.

Tracking numbers are 40 bits; a lookup limit keeps guessing them hopeless (an Open311 batch
counts one lookup per id). Filing is limited so that one client cannot flood the section with
reports. Over the limit: 429 with ``Retry-After`` and a Chinese (and English) message, before
the request is read. The client address is the peer's, or the one the trusted reverse proxy
names (uvicorn's ``forwarded_allow_ips``).
"""

from __future__ import annotations

import json
import math
import re
import time
from urllib.parse import parse_qs

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_BATCH_IDS = 10
"""At most this many ids in one Open311 ``GET requests.json``."""

_FILING = re.compile(r"^/(report|api/v1/reports|open311/v2/requests(\.json)?)$")
_LOOKUP = re.compile(r"^/(track|reports/[^/]+|api/v1/reports/[^/]+|open311/v2/requests/[^/]+)$")
_BATCH = "/open311/v2/requests.json"


class Limits:
    """The moving windows of filing and lookups, counted per client (an address, or a
    WeChat follower: ``wechat:<openid>``)."""

    def __init__(self, filing: str, lookup: str) -> None:
        self.items = {"filing": parse(filing), "lookup": parse(lookup)}
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, kind: str, client: str, cost: int = 1) -> int | None:
        """None when ``client`` may go on (and it is counted); else the seconds to wait."""
        item: RateLimitItem = self.items[kind]
        if self.limiter.hit(item, kind, client, cost=cost):
            return None
        reset = self.limiter.get_window_stats(item, kind, client).reset_time
        return max(1, math.ceil(reset - time.time()))


def batch_size(query_string: bytes) -> int:
    """How many ids an Open311 batch lookup asks for (at least one lookup)."""
    values = parse_qs(query_string.decode("latin-1")).get("service_request_id", [])
    return max(1, sum(1 for value in values for part in value.split(",") if part.strip()))


def _what(method: str, path: str, query: bytes) -> tuple[str, int] | None:
    """Which limit a request counts against, and how many times; None: not limited."""
    if method == "POST" and _FILING.match(path):
        return "filing", 1
    if method in ("GET", "HEAD"):
        if path == _BATCH:
            return "lookup", min(batch_size(query), MAX_BATCH_IDS)
        if _LOOKUP.match(path):
            return "lookup", 1
    return None


class RateLimit:
    """ASGI middleware: a moving window per client address and kind of request."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        counted = _what(scope["method"], scope["path"], scope.get("query_string", b"")) \
            if scope["type"] == "http" else None
        if counted is None:
            await self.app(scope, receive, send)
            return
        kind, cost = counted
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.limits.retry_after(kind, client, cost)
        if wait is None:
            await self.app(scope, receive, send)
        else:
            await _too_many(send, scope["path"], wait)


async def _too_many(send: Send, path: str, retry_after: int) -> None:
    zh = f"请求过于频繁，请 {retry_after} 秒后再试"
    en = f"too many requests: try again in {retry_after} s"
    if path.startswith("/open311/"):
        body = json.dumps([{"code": 429, "description": f"{zh} / {en}"}], ensure_ascii=False)
        kind = b"application/json"
    elif path.startswith("/api/"):
        body = json.dumps({"ok": False, "error": {"zh": zh, "en": en}, "errors": []},
                          ensure_ascii=False)
        kind = b"application/json"
    else:
        body = f"<!doctype html><meta charset=utf-8><title>429</title><p>{zh}</p><p>{en}</p>"
        kind = b"text/html; charset=utf-8"
    data = body.encode()
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", kind), (b"content-length", str(len(data)).encode()),
        (b"retry-after", str(retry_after).encode())]})
    await send({"type": "http.response.body", "body": data})
