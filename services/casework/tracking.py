"""查询编号 → problem: which problem a reporter's tracking number names.

Kept in memory from the event store's notification log, like the rebound index, so it is exactly
as lasting as the store and needs no write of its own: a filed report is findable by its number
the moment its filing commits, and nobody but casework can change what a number names.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import Notification

from services.reporters.tracking import code_of

REPORTED = "ProblemReported"
"""The stored topic of a problem's first event (``FactMapper`` stores the event type)."""


class TrackingIndex:
    """The tracking number's 8 characters → the problem id, for every problem filed."""

    def __init__(self, key: bytes | None) -> None:
        self.key = key
        """The reporter key's tracking subkey; None: no tracking numbers are given."""
        self._problems: dict[str, UUID] = {}

    def apply(self, notification: Notification) -> None:
        """Take in one recorded event, in log order."""
        if self.key is not None and notification.topic == REPORTED:
            problem_id = UUID(str(notification.originator_id))
            self._problems[code_of(self.key, problem_id)] = problem_id

    def find(self, code: str) -> UUID | None:
        return self._problems.get(code)
