"""反弹: which recently closed problem a new report repeats.

The index follows the event store's notification log (the source of truth), so it is rebuilt
by reading the log when casework starts and kept current before each filing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from services.clock import china_date

DEFAULT_REBOUND_DAYS = 90

Key = tuple[str, str, str]
"""Unit, category, enterprise or place: what makes two reports the same problem again."""


@dataclass(frozen=True)
class Rebound:
    closed_problem: UUID
    closed_on: date


def _key(unit: str, category: str, enterprise: str | None) -> Key | None:
    place = " ".join((enterprise or "").split())
    return (unit.strip(), category, place) if place else None


class ReboundIndex:
    """Closed problems by unit, category and enterprise, with the day each was closed."""

    def __init__(self, window_days: int = DEFAULT_REBOUND_DAYS) -> None:
        self.window_days = window_days
        self._keys: dict[UUID, Key] = {}
        self._closed: dict[Key, dict[UUID, date]] = {}

    def apply(self, body: bytes) -> None:
        """Take in one recorded event (its JSON), in log order."""
        fact = json.loads(body)
        problem = fact.get("problem_id")
        if problem is None:
            return
        problem_id = UUID(problem)
        kind = fact["type"]
        if kind == "ProblemReported":
            key = _key(fact["unit"], fact["category"], fact.get("enterprise"))
            if key is not None:
                self._keys[problem_id] = key
        elif kind == "ProblemTriaged" and problem_id in self._keys:
            unit, _, place = self._keys[problem_id]
            self._keys[problem_id] = (unit, fact["category"], place)
        elif kind == "ProblemClosed" and problem_id in self._keys:
            when = china_date(_moment(fact["occurred_at"]))
            self._closed.setdefault(self._keys[problem_id], {})[problem_id] = when
        elif kind == "ProblemReopened" and problem_id in self._keys:
            self._closed.get(self._keys[problem_id], {}).pop(problem_id, None)

    def match(self, unit: str, category: str, enterprise: str | None,
              reported_on: date) -> Rebound | None:
        """The most recently closed problem the report repeats, within the window."""
        key = _key(unit, category, enterprise)
        if key is None:
            return None
        recent = [
            Rebound(problem, closed_on)
            for problem, closed_on in self._closed.get(key, {}).items()
            if 0 <= (reported_on - closed_on).days <= self.window_days
        ]
        return max(recent, key=lambda r: r.closed_on, default=None)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
