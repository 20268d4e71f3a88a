"""``Allow`` that tells the truth: the methods of every route on the path, not of the first.

Starlette answers a method a path does not take with 405 and the ``Allow`` of the first route
matching the path, so ``/open311/v2/requests.json`` (GET and POST, two routes) said ``POST``.
Here ``OPTIONS`` gets 204 and any other method a 405, both with the union of the methods.
"""

from __future__ import annotations

import json

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed(routes: list[BaseRoute], scope: Scope) -> set[str]:
    """The methods some route takes on this path (asked the way the router matches)."""
    methods = {method for method in _METHODS
               if any(route.matches({**scope, "method": method})[0] is Match.FULL
                      for route in routes)}
    return methods | {"OPTIONS"} if methods else methods


class TruthfulAllow:
    """ASGI middleware answering methods a known path does not take.

    The app answers first: only when it says 405 (as it does to ``OPTIONS``, which no route
    takes) are the routes matched once per method, so a request a route takes costs nothing
    here."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app, self.routes = app, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []  # the app's own 405, kept until the methods are known

        async def unless_refused(message: Message) -> None:
            if held or (message["type"] == "http.response.start" and message["status"] == 405):
                held.append(message)
            else:
                await send(message)

        await self.app(scope, receive, unless_refused)
        if not held:
            return
        methods = allowed(self.routes, scope)
        if not methods or scope["method"] in methods - {"OPTIONS"}:
            for message in held:  # a route that takes the method refused it itself
                await send(message)
            return
        allow = ", ".join(sorted(methods)).encode()
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204,
                        "headers": [(b"allow", allow)]})
            await send({"type": "http.response.body", "body": b""})
            return
        body = json.dumps({"ok": False, "error": {
            "zh": f"此地址不支持 {scope['method']} 方法", "en": "method not allowed"}},
            ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 405, "headers": [
            (b"allow", allow), (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
