"""A deadline for receiving each request: a client that sends its headers or body too slowly
(slowloris) is answered 408 and cut off, while other clients are served.

uvicorn's h11 protocol has a keep-alive timeout between requests but none while a request is
being received; this subclass adds one, from the connection (or the first byte of the next
request on a kept-alive connection) until the request's last byte.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

from services.intake.headers import HEADERS

_TIMEOUT_BODY = "请求发送超时 / request timeout\n".encode()
_TIMEOUT_RESPONSE = b"".join((
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n",
    *(name + b": " + value + b"\r\n" for name, value in HEADERS),
    b"content-length: %d\r\nconnection: close\r\n\r\n" % len(_TIMEOUT_BODY), _TIMEOUT_BODY))


class DeadlineProtocol(H11Protocol):
    request_timeout: float = 10.0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start()

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self._start()  # a new request begins
        super().data_received(data)
        if self.cycle is not None and not self.cycle.more_body:
            self._stop()  # all of it arrived: the app's time is not the client's

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)

    def _start(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _stop(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()


def with_deadline(seconds: float) -> type[DeadlineProtocol]:
    """The protocol class uvicorn is given (``Config(http=…)``), with this deadline."""
    return type("DeadlineProtocol", (DeadlineProtocol,), {"request_timeout": seconds})
