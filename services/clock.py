"""Time is an input: deadlines and records read this clock, which tests and demos can set."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, or the moment in ``RECTIFY_NOW`` (ISO 8601) when that is set."""
    fixed = os.environ.get("RECTIFY_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""China keeps UTC+8 all year, so a fixed offset is exact."""


def china_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in China: the day deadlines are counted in."""
    return moment.astimezone(CHINA_TIME).date()
