"""What is a passing failure and what is a real stop: decided here, once, for every part.

Passing: timeouts (nats-py raises its own ``TimeoutError`` *and* the plain ``asyncio`` one,
which is the builtin ``TimeoutError`` since Python 3.11), a connection lost, closed, draining or
reconnecting, no responders, JetStream restarting (503), an OS-level socket error. A loop polls
again or retries with backoff; nothing is reported but a log line.

Real stop (halt): the history no longer adds up (stream behind, gap, altered or forged event,
stream ahead of the store, position gap in the store) or a store is corrupt. Restarting cannot
help; a person must act, so the part raises an alarm saying what happened and what to do.

Anything else is a bug or an unforeseen failure: the supervisor restarts the part with backoff
and counts the restart (``rectify status``).
"""

from __future__ import annotations

import sqlite3

from nats.errors import (
    ConnectionClosedError,
    ConnectionDrainingError,
    ConnectionReconnectingError,
    FlushTimeoutError,
    NoRespondersError,
    NoServersError,
    OutboundBufferLimitError,
    SlowConsumerError,
    StaleConnectionError,
    UnexpectedEOF,
)
from nats.js.errors import ServiceUnavailableError
from pydantic import BaseModel

from projections.engine.errors import StreamDivergedError, UndecodableEventError
from services.relay.errors import RelayHaltedError

PASSING: tuple[type[BaseException], ...] = (
    TimeoutError,  # nats.errors.TimeoutError and asyncio.TimeoutError are both this
    ConnectionClosedError, ConnectionDrainingError, ConnectionReconnectingError,
    FlushTimeoutError, NoRespondersError, NoServersError, OutboundBufferLimitError,
    SlowConsumerError, StaleConnectionError, UnexpectedEOF, ServiceUnavailableError,
    ConnectionError,
)
"""Failures that pass by themselves: poll again, or retry after a pause."""


class AlarmText(BaseModel):
    """What ``rectify status`` shows for a halted part: what happened, what to do."""

    zh: str
    en: str

    def say(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


REPAIR_ZH = "请运行 rectify repair 查看差异，rectify repair --apply 由事件库修复"
REPAIR_EN = "run `rectify repair` to see what differs, `rectify repair --apply` to restore it " \
            "from the event store"


def is_passing(error: BaseException) -> bool:
    return isinstance(error, PASSING)


def halt_text(error: BaseException) -> AlarmText | None:
    """The alarm for a real stop; None when restarting the part may help."""
    if isinstance(error, StreamDivergedError | UndecodableEventError | RelayHaltedError):
        return AlarmText(zh=f"{error.zh}；{REPAIR_ZH}", en=f"{error.en}; {REPAIR_EN}")
    if isinstance(error, sqlite3.DatabaseError) and "malformed" in str(error):
        return AlarmText(zh=f"读模型库已损坏（{error}）；请运行 rectify rebuild",
                         en=f"the read-model store is corrupt ({error}); run `rectify rebuild`")
    return None


def crash_text(error: BaseException) -> AlarmText:
    """A part that keeps failing: never an empty reason, even for an exception without text."""
    detail = str(error) or repr(error)
    kind = type(error).__name__
    return AlarmText(zh=f"意外故障 {kind}：{detail}；正在自动重启",
                     en=f"unexpected {kind}: {detail}; restarting by itself")
