"""Following the event store's notification log from inside the casework process.

The watchdog and the spot-check list need to know which problems are open and what each unit
reported; they read it from the log itself (the source of truth), not from any read model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from events.base import ProblemEventBase
from events.lifecycle import (
    ProblemClosed,
    ProblemDeclined,
    ProblemLinkedAsDuplicate,
    ProblemReopened,
    ProblemReported,
)
from events.recorded import RecordedEvent, parse_recorded
from events.supervision import SpotCheckSelected
from services.casework.application import Casework
from services.casework.mapper import FactMapper
from services.supervision.spotcheck import UnitReports

PAGE = 1000

_SET_ASIDE = (ProblemClosed, ProblemDeclined, ProblemLinkedAsDuplicate)


def read_since(casework: Casework, position: int,
               apply: Callable[[RecordedEvent], None]) -> int:
    """Apply every event recorded after ``position``, in order; returns the new position."""
    mapper = casework.mapper
    assert isinstance(mapper, FactMapper)
    while True:
        page = casework.recorder.select_notifications(position + 1, PAGE)
        for notification in page:
            apply(parse_recorded(mapper.unseal(notification.state)))
            position = notification.id
        if len(page) < PAGE:
            return position


@dataclass
class WatchList:
    """What the watchdog looks at: problems still open, and every unit heard of."""

    position: int = 0
    open_problems: set[UUID] = field(default_factory=set)
    units: set[str] = field(default_factory=set)

    def catch_up(self, casework: Casework) -> None:
        self.position = read_since(casework, self.position, self._apply)

    def _apply(self, event: RecordedEvent) -> None:
        self.units.add(event.unit)
        if not isinstance(event, ProblemEventBase):
            return
        if isinstance(event, ProblemReported | ProblemReopened):
            self.open_problems.add(event.problem_id)
        elif isinstance(event, _SET_ASIDE):
            self.open_problems.discard(event.problem_id)


@dataclass
class ReportCounts:
    """What each unit found itself (self-inspection, visits, symposiums) and what the public
    reported about it."""

    position: int = 0
    self_inspection: dict[str, int] = field(default_factory=dict)
    public: dict[str, int] = field(default_factory=dict)
    selected: set[str] = field(default_factory=set)

    def catch_up(self, casework: Casework) -> None:
        self.position = read_since(casework, self.position, self._apply)

    def reports(self) -> list[UnitReports]:
        units = set(self.self_inspection) | set(self.public) | self.selected
        return [UnitReports(u, self.self_inspection.get(u, 0), self.public.get(u, 0),
                            u in self.selected) for u in sorted(units)]

    def _apply(self, event: RecordedEvent) -> None:
        if isinstance(event, SpotCheckSelected):
            self.selected.add(event.unit)
        elif isinstance(event, ProblemReported):
            if event.channel.is_units_own:
                self.self_inspection[event.unit] = self.self_inspection.get(event.unit, 0) + 1
            elif event.channel.is_public:
                self.public[event.unit] = self.public.get(event.unit, 0) + 1
