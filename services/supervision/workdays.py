"""工作日: the bureau counts time limits in working days of the Chinese public-holiday calendar.

Holidays and the weekend days made working days (调休) come from the maintained
``chinesecalendar`` package, which publishes each year once the State Council announces it.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


class CalendarNotCoveredError(ValueError):
    """The holiday calendar does not know this year yet: a count would silently be wrong."""

    def __init__(self, day: date) -> None:
        super().__init__(f"the holiday calendar does not cover {day.year} "
                         "(upgrade the chinesecalendar package)")
        self.zh = f"节假日日历尚未包含 {day.year} 年（请升级 chinesecalendar）"
        self.en = str(self)
        self.day = day


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day: a weekday that is not a holiday, or an adjusted workday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarNotCoveredError(day) from None


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

    So on a due date itself 0 are left, the working day before it 1, and the first working day
    after it -1.
    """
    if end >= start:
        return sum(1 for day in _days(start, end) if is_workday(day))
    return -sum(1 for day in _days(end, start) if is_workday(day))


def add_working_days(start: date, count: int) -> date:
    """The day ``count`` working days after ``start`` (a time limit of N working days)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        count -= is_workday(day)
    return day


def _days(after: date, through: date) -> list[date]:
    return [after + timedelta(days=n) for n in range(1, (through - after).days + 1)]
