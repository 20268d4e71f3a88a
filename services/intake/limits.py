"""Bodies larger than the limit are refused with 413 before they are read into memory."""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024
"""A report is a few paragraphs: the form and the API take at most this."""


class BodyTooLargeError(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 on a declared or actual body over ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        exceeded = started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                exceeded = True
                raise BodyTooLargeError
            return message

        async def tracked(message: Message) -> None:
            # Once over the limit, what the app answers (it may call it a parse error) is dropped.
            nonlocal started
            if not exceeded:
                started = started or message["type"] == "http.response.start"
                await send(message)

        with contextlib.suppress(BodyTooLargeError):
            await self.app(scope, counted, tracked)
        if exceeded and not started:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"ok": False, "error": {
            "zh": f"提交内容过大，上限 {self.limit // 1024} KB",
            "en": f"request body too large: the limit is {self.limit // 1024} KB"}},
            ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
