"""Statistics (统计): counts by unit × category × status × channel, closure and on-time rates.

The closure rate counts problems that must be rectified, so declined reports and duplicates
are left out of its base; the on-time rate is the share of closed problems crossed off on or
before their deadline (as extended).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from events.status import is_overdue
from events.vocabulary import Category, Channel, ProblemStatus
from projections.engine.store import ReadStore
from projections.models.facts import local_date

NOT_TO_RECTIFY = frozenset({ProblemStatus.DECLINED, ProblemStatus.DUPLICATE})


@dataclass(frozen=True)
class Cell:
    """How many problems share one unit, category, status and channel."""

    unit: str
    category: Category
    status: ProblemStatus
    channel: Channel
    count: int


@dataclass(frozen=True)
class Totals:
    """One unit's (or the campaign's) figures."""

    unit: str
    reported: int = 0
    to_rectify: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0

    @property
    def closure_rate(self) -> float | None:
        return self.closed / self.to_rectify if self.to_rectify else None

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed if self.closed else None

    def plus(self, other: Totals, unit: str) -> Totals:
        return Totals(unit, self.reported + other.reported, self.to_rectify + other.to_rectify,
                      self.closed + other.closed, self.closed_on_time + other.closed_on_time,
                      self.overdue + other.overdue)


@dataclass(frozen=True)
class Statistics:
    cells: tuple[Cell, ...]
    units: tuple[Totals, ...]
    total: Totals

    def by_category(self, unit: str | None = None) -> dict[Category, int]:
        """Problems per category, all 13 in the notice's order, zeros included (a bureau
        reports every category); of one unit, or of the campaign when ``unit`` is None."""
        counts = dict.fromkeys(Category, 0)
        for cell in self.cells:
            if unit is None or cell.unit == unit:
                counts[cell.category] += cell.count
        return counts


def closed_on_time(closed_at: str | None, deadline: date | None) -> bool:
    """Crossed off (at ``closed_at``, ISO text) on or before ``deadline``, China time."""
    if closed_at is None:
        return False
    return deadline is None or local_date(datetime.fromisoformat(closed_at)) <= deadline


def read_stats(store: ReadStore, today: date) -> Statistics:
    """The campaign's figures as of ``today``; units in order of their first report."""
    with store.read() as tx:
        rows = tx.query(f"SELECT unit, category, status, channel, deadline, closed_at FROM"
                        f" {tx.table('problems')} ORDER BY position") if tx.exists("problems") \
            else []
    cells: Counter[tuple[str, Category, ProblemStatus, Channel]] = Counter()
    units: dict[str, Totals] = {}
    for unit, category, status, channel, deadline, closed_at in rows:
        state, due = ProblemStatus(status), date.fromisoformat(deadline) if deadline else None
        cells[unit, Category(category), state, Channel(channel)] += 1
        closed = state is ProblemStatus.CLOSED
        units[unit] = units.get(unit, Totals(unit)).plus(Totals(
            unit, 1, int(state not in NOT_TO_RECTIFY), int(closed),
            int(closed and closed_on_time(closed_at, due)),
            int(is_overdue(state, due, today))), unit)
    total = Totals("")
    for totals in units.values():
        total = total.plus(totals, "")
    return Statistics(tuple(Cell(*key, count) for key, count in sorted(cells.items())),
                      tuple(units.values()), total)
