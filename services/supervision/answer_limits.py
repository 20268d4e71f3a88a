"""答复时限: by when a reporter must hear back, counted in working days from the report.

A progress reply (进展答复) meets the limit as well as the outcome answer does: the reporter
hears back in time, and hears the outcome once it is known.
"""

from __future__ import annotations

from datetime import date, timedelta

from services.supervision.workdays import CalendarNotCoveredError, add_working_days


def answer_due(reported_on: date, working_days: int) -> date:
    """The last day to answer; Monday to Friday for a year the holiday calendar lacks."""
    try:
        return add_working_days(reported_on, working_days)
    except CalendarNotCoveredError:
        day, left = reported_on, working_days
        while left > 0:
            day += timedelta(days=1)
            left -= day.weekday() < 5
        return day
