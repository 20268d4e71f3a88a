"""What a problem's facts do to its status, and when its deadline is missed (超期).

Decided here once, next to the events, for every side that needs it: the Problem aggregate
moves its status with ``status_after``, the watchdog warns and every read model counts 超期 with
``is_overdue``. A deadline runs only while the unit is rectifying: once it has submitted its
fix, waiting for the section's verification is not the unit's delay (a fix sent back makes the
problem rectifying again, and overdue again if the deadline has passed).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel

from events.lifecycle import (
    FixSentBack,
    FixSubmitted,
    FixVerified,
    ProblemClosed,
    ProblemDeclined,
    ProblemLinkedAsDuplicate,
    ProblemReopened,
    ProblemReported,
    ProblemTriaged,
    RectificationAssigned,
)
from events.vocabulary import ProblemStatus

STATUS_AFTER: Mapping[type[BaseModel], ProblemStatus] = {
    ProblemReported: ProblemStatus.REPORTED,
    ProblemTriaged: ProblemStatus.TRIAGED,
    ProblemLinkedAsDuplicate: ProblemStatus.DUPLICATE,
    ProblemDeclined: ProblemStatus.DECLINED,
    RectificationAssigned: ProblemStatus.RECTIFYING,
    FixSubmitted: ProblemStatus.FIX_SUBMITTED,
    FixVerified: ProblemStatus.VERIFIED,
    FixSentBack: ProblemStatus.RECTIFYING,
    ProblemClosed: ProblemStatus.CLOSED,
    ProblemReopened: ProblemStatus.RECTIFYING,
}
"""The status each kind of fact puts its problem in; every other fact leaves it alone."""

DEADLINE_RUNS = frozenset({ProblemStatus.RECTIFYING})
"""Statuses in which the deadline runs: warnings are raised and a passed deadline is 超期."""


def status_after(event: BaseModel) -> ProblemStatus | None:
    """The status ``event`` puts its problem in, or None when it leaves the status alone."""
    return STATUS_AFTER.get(type(event))


def is_overdue(status: ProblemStatus, deadline: date | None, today: date) -> bool:
    """超期: the deadline passed while the unit is still rectifying."""
    return deadline is not None and deadline < today and status in DEADLINE_RUNS
