"""What several read models read the same way from an event: its day.

Dates that people see (填报时间, closing day, overdue) are China Standard Time dates: China
keeps UTC+8 all year, so a fixed offset is exact. The status an event leads to and when a
problem is overdue are decided next to the events, in ``events.status``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8), "CST")


def local_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in China."""
    return moment.astimezone(CHINA_TIME).date()
