"""Is this view current? Every reader of a read model says so when it is not.

A reader knows the read models' position (from the store) and, from the running ``rectify up``,
the EVENTS stream's last sequence and whether the projections halted. A small lag is waited out
(up to ``CATCH_UP_SECONDS``); a lag that stays, or a halt, is said on stderr in the user's
language, as ``freshness`` in JSON output, and (for workbooks) under the title. A halted
projection refuses the read unless ``--stale-ok``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass
from typing import Any

import click

from events.subjects import STATUS_QUERY
from projections.engine.store import ReadStore, live_positions
from services.cli.client import UnreachableError, connected, request
from services.cli.options import Session

CATCH_UP_SECONDS = 3.0
STATUS_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Freshness:
    """How current a read store is: its position, the stream's last sequence, a halt."""

    position: int
    stream_last: int | None
    """None: no running rectify answered, so nobody can say."""
    halted_zh: str | None = None
    halted_en: str | None = None

    @property
    def behind(self) -> int:
        return max(0, (self.stream_last or 0) - self.position)

    @property
    def current(self) -> bool:
        return self.stream_last is not None and self.behind == 0 and self.halted_zh is None

    def record(self) -> dict[str, Any]:
        return {**asdict(self), "behind": self.behind, "current": self.current}

    def say(self, session: Session) -> str:
        t = session.out.t
        if self.stream_last is None:
            return t(f"数据截至第 {self.position} 条事件；rectify 未运行，无法确认是否最新",
                     f"data as of event {self.position}; rectify is not running, so whether it "
                     "is current cannot be told")
        text = t(f"数据截至第 {self.position} 条事件，落后 {self.behind} 条",
                 f"data as of event {self.position}, {self.behind} behind")
        if self.halted_zh is not None:
            text += t(f"；投影已停止：{self.halted_zh}", f"; projections halted: {self.halted_en}")
        return text


def check_freshness(session: Session, store: ReadStore, stale_ok: bool) -> Freshness:
    """The store's freshness, said on stderr unless current; a halt refuses unless ``stale_ok``."""
    freshness = _measure(session, store)
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while freshness.behind and freshness.halted_zh is None and time.monotonic() < deadline:
        time.sleep(0.1)
        freshness = _measure(session, store)
    session.out.annotations["freshness"] = freshness.record()
    if freshness.current:
        return freshness
    if freshness.halted_zh is not None and not stale_ok:
        store.close()
        session.out.fail(freshness.say(session) + "（仍要查看请加 --stale-ok）",
                         freshness.say(session) + " (add --stale-ok to read it anyway)",
                         extra={"freshness": freshness.record()})
    click.echo(f"rectify: {freshness.say(session)}", err=True)
    return freshness


def stale_notice(session: Session) -> str:
    """The line a workbook carries under its title when its data is not current, else ""."""
    freshness = session.out.annotations.get("freshness")
    if freshness is None or freshness["current"]:
        return ""
    return "⚠ " + Freshness(freshness["position"], freshness["stream_last"],
                            freshness["halted_zh"], freshness["halted_en"]).say(session)


def _measure(session: Session, store: ReadStore) -> Freshness:
    position = min(live_positions(store).values(), default=0)
    try:
        status = asyncio.run(_status(session))
    except (UnreachableError, OSError, TimeoutError):
        return Freshness(position, None)
    if status is None:
        return Freshness(position, None)
    alarm = status["alarms"].get("projections")
    return Freshness(position, int(status["streams"]["EVENTS"]["last_seq"]),
                     alarm["zh"] if alarm else None, alarm["en"] if alarm else None)


async def _status(session: Session) -> dict[str, Any] | None:
    url = session.nats_url or session.running_url()
    if url is None:
        return None
    async with connected(url) as client:
        return await request(client, STATUS_QUERY, b"", timeout=STATUS_TIMEOUT_SECONDS)
