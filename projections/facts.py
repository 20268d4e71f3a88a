"""What several read models read the same way from an event: the status it leads to, its day.

Dates that people see (填报时间, closing day, overdue) are China Standard Time dates: China
keeps UTC+8 all year, so a fixed offset is exact.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from events.lifecycle import ProblemEvent
from events.vocabulary import ProblemStatus

CHINA_TIME = timezone(timedelta(hours=8), "CST")

_STATUS_AFTER: dict[str, ProblemStatus] = {
    "ProblemReported": ProblemStatus.REPORTED,
    "ProblemTriaged": ProblemStatus.TRIAGED,
    "ProblemLinkedAsDuplicate": ProblemStatus.DUPLICATE,
    "ProblemDeclined": ProblemStatus.DECLINED,
    "RectificationAssigned": ProblemStatus.RECTIFYING,
    "FixSubmitted": ProblemStatus.FIX_SUBMITTED,
    "FixVerified": ProblemStatus.VERIFIED,
    "FixSentBack": ProblemStatus.RECTIFYING,
    "ProblemClosed": ProblemStatus.CLOSED,
    "ProblemReopened": ProblemStatus.RECTIFYING,
}

OVERDUE_CAN_APPLY = frozenset({ProblemStatus.RECTIFYING, ProblemStatus.FIX_SUBMITTED})
"""Statuses in which a passed deadline makes a problem overdue (超期)."""


def status_after(event: ProblemEvent) -> ProblemStatus | None:
    """The status ``event`` puts its problem in, or None when it leaves the status alone."""
    return _STATUS_AFTER.get(event.type)


def local_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in China."""
    return moment.astimezone(CHINA_TIME).date()


def is_overdue(status: ProblemStatus, deadline: date | None, today: date) -> bool:
    """超期: past the deadline and neither verified nor closed (nor set aside)."""
    return deadline is not None and deadline < today and status in OVERDUE_CAN_APPLY
