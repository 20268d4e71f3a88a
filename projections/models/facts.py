"""What several read models read the same way from an event: its day, which counter a notice
adds to.

Dates that people see (填报时间, closing day, overdue) are China Standard Time dates: China
keeps UTC+8 all year, so a fixed offset is exact. The status an event leads to and when a
problem is overdue are decided next to the events, in ``events.status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from events.lifecycle import ProblemReported
from events.notices import NoticeIssued, ResponseOverdue
from events.vocabulary import Notice

if TYPE_CHECKING:  # the engine reads local_date from here
    from projections.engine.projector import Recorded

CHINA_TIME = timezone(timedelta(hours=8), "CST")
SET_AT_REPORT = ("position", "unit")
"""The columns of a one-row-per-problem table that its report sets for good (``KeyedRows``'s
``fixed``)."""


def local_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in China."""
    return moment.astimezone(CHINA_TIME).date()


def notice_counter(event: object) -> str | None:
    """The counter an order or circular adds to (``supervised``, ``circulars``,
    ``responses_overdue``); none for other facts and for the copies of a circular to all units,
    which press no unit in particular."""
    if isinstance(event, NoticeIssued) and event.broadcast is None:
        return "supervised" if event.notice is Notice.ORDER else "circulars"
    if isinstance(event, ResponseOverdue):
        return "responses_overdue"
    return None


def reported_before(batch: Sequence[Recorded]) -> list[str]:
    """The problems the batch's events are about that were reported before it: the only ones
    whose rows can be stored yet. Those the batch reports have none to look up (in the rebuild
    benchmark's batches of 20,000, about two thirds of the problems named)."""
    reported = {r.problem for r in batch if isinstance(r.event, ProblemReported)}
    return [r.problem for r in batch if r.problem and r.problem not in reported]
