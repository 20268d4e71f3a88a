"""The accountability trail (责任追溯): per responsible leader, department and unit, and per actor.

A problem counts for the leader and department of its latest assignment. Closed on time means
crossed off (销号) on or before its deadline (as extended); overdue (超期) is judged for the day
asked about. Each actor's actions are every event that names them, in stream order, unit facts
(filings, orders and circulars to a unit, its responses) included. Orders and circulars count
for the unit they were addressed to, whether about one of its problems or about the unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Literal

from events.lifecycle import (
    DeadlineExtended,
    FixSentBack,
    ProblemClosed,
    ProblemReopened,
    ProblemReported,
    RectificationAssigned,
)
from events.recorded import RecordedEvent
from events.status import is_overdue, status_after
from events.vocabulary import ProblemStatus
from projections.engine.projector import Index, Recorded
from projections.engine.rows import KeyedRows, Row
from projections.engine.store import ReadStore, Tx
from projections.models.facts import SET_AT_REPORT, notice_counter, reported_before

Dimension = Literal["leader", "department", "unit"]
_COUNTERS: dict[type, str] = {FixSentBack: "sent_back", ProblemReopened: "reopened"}
_FACTS = "leader, deadline, status, closed_on, sent_back, reopened, supervised, circulars," \
    " responses_overdue"


@dataclass(frozen=True)
class Accountability:
    """How one leader, department or unit stands in the campaign."""

    who: str
    assigned: int = 0
    open: int = 0
    closed_on_time: int = 0
    closed_late: int = 0
    overdue: int = 0
    sent_back: int = 0
    reopened: int = 0
    supervision_orders: int = 0
    circulars: int = 0
    responses_overdue: int = 0


@dataclass(frozen=True)
class Action:
    """One thing an actor did: which event, on which problem, when, through what."""

    position: int
    occurred_at: datetime
    type: str
    problem_id: str
    unit: str
    via: str


class TrailProjector:
    """Keeps each problem's accountability facts and each actor's actions."""

    name = "trail"
    version = 2
    indexes: Sequence[Index] = (
        Index("trail_actions_by_actor", "trail_actions", "actor, position"),)

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('trail_problems')} (position INTEGER PRIMARY KEY,"
                   " problem_id TEXT NOT NULL UNIQUE, unit TEXT NOT NULL, leader TEXT,"
                   " department TEXT, deadline TEXT, status TEXT NOT NULL, closed_on TEXT,"
                   " sent_back INTEGER NOT NULL DEFAULT 0, reopened INTEGER NOT NULL DEFAULT 0,"
                   " supervised INTEGER NOT NULL DEFAULT 0, circulars INTEGER NOT NULL DEFAULT 0,"
                   " responses_overdue INTEGER NOT NULL DEFAULT 0)")
        tx.execute(f"CREATE TABLE {tx.table('trail_units')} (unit TEXT PRIMARY KEY,"
                   " supervised INTEGER NOT NULL DEFAULT 0, circulars INTEGER NOT NULL DEFAULT 0,"
                   " responses_overdue INTEGER NOT NULL DEFAULT 0)")
        tx.execute(f"CREATE TABLE {tx.table('trail_actions')} (position INTEGER PRIMARY KEY,"
                   " actor TEXT NOT NULL, occurred_at TEXT NOT NULL, type TEXT NOT NULL,"
                   " problem_id TEXT NOT NULL, unit TEXT NOT NULL, via TEXT NOT NULL)")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        tx.executemany(f"INSERT INTO {tx.table('trail_actions')} VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(r.position, r.event.actor, r.at,
                         r.event.type, r.problem, r.event.unit, r.event.via.value)
                        for r in batch])
        problems = KeyedRows(tx, tx.table("trail_problems"), "problem_id", _PROBLEM_COLUMNS,
                             SET_AT_REPORT)
        problems.load(reported_before(batch))
        units = KeyedRows(tx, tx.table("trail_units"), "unit", _UNIT_COLUMNS)
        units.load(r.event.unit for r in batch
                   if not r.problem and notice_counter(r.event) is not None)
        for recorded in batch:
            event = recorded.event
            if not recorded.problem:
                _count_for_unit(units, event)
            elif isinstance(event, ProblemReported):
                problems.add(recorded.problem, {
                    "position": recorded.position, "unit": event.unit, "leader": None,
                    "department": None, "deadline": None,
                    "status": ProblemStatus.REPORTED.value, "closed_on": None,
                    **dict.fromkeys(_PROBLEM_COUNTERS, 0)})
            elif (row := problems.get(recorded.problem)) is not None and _changes(
                    row, event, recorded.day):
                problems.changed(recorded.problem)
        problems.flush()
        units.flush()


_PROBLEM_COUNTERS = ("sent_back", "reopened", "supervised", "circulars", "responses_overdue")
_PROBLEM_COLUMNS = ("position", "unit", "leader", "department", "deadline", "status",
                    "closed_on", *_PROBLEM_COUNTERS)
_UNIT_COLUMNS = ("supervised", "circulars", "responses_overdue")


def _changes(row: Row, event: RecordedEvent, day: str) -> bool:
    """Apply ``event`` to its problem's accountability ``row``; whether anything changed."""
    sets: Row = {}
    if (status := status_after(event)) is not None:
        sets.update(status=status.value, closed_on=None)
    if isinstance(event, ProblemClosed):
        sets["closed_on"] = day
    elif isinstance(event, RectificationAssigned):
        sets.update(leader=event.leader, department=event.department,
                    deadline=event.deadline.isoformat())
    elif isinstance(event, DeadlineExtended):
        sets["deadline"] = event.deadline.isoformat()
    if (counter := _COUNTERS.get(type(event)) or notice_counter(event)) is not None:
        sets[counter] = int(row[counter] or 0) + 1
    row.update(sets)
    return bool(sets)


def _count_for_unit(units: KeyedRows, event: RecordedEvent) -> None:
    """An order, circular or missed response date addressed to the unit as a whole."""
    if (counter := notice_counter(event)) is None:
        return
    row = units.get(event.unit)
    if row is None:
        units.add(event.unit, {**dict.fromkeys(_UNIT_COLUMNS, 0), counter: 1})
    else:
        row[counter] = int(row[counter] or 0) + 1
        units.changed(event.unit)


def _tally(who: str, rows: Sequence[tuple[str | None, ...]], today: date,
           unit_notices: tuple[int, int, int] = (0, 0, 0)) -> Accountability:
    counts = dict.fromkeys((f.name for f in fields(Accountability) if f.name != "who"), 0)
    counts["supervision_orders"], counts["circulars"], counts["responses_overdue"] = unit_notices
    for (leader, deadline, status, closed_on, sent_back, reopened, supervised, circulars,
         responses_overdue) in rows:
        due, state = date.fromisoformat(deadline) if deadline else None, ProblemStatus(str(status))
        late = closed_on is not None and due is not None and date.fromisoformat(closed_on) > due
        counts["assigned"] += leader is not None
        counts["open"] += leader is not None and state is not ProblemStatus.CLOSED
        counts["closed_on_time"] += state is ProblemStatus.CLOSED and not late
        counts["closed_late"] += state is ProblemStatus.CLOSED and late
        counts["overdue"] += is_overdue(state, due, today)
        counts["sent_back"] += int(sent_back or 0)
        counts["reopened"] += int(reopened or 0)
        counts["supervision_orders"] += int(supervised or 0)
        counts["circulars"] += int(circulars or 0)
        counts["responses_overdue"] += int(responses_overdue or 0)
    return Accountability(who, **counts)


def accountability(store: ReadStore, by: Dimension, today: date) -> list[Accountability]:
    """One line per leader, department or unit (in order of first report), as of ``today``."""
    if by not in ("leader", "department", "unit"):
        raise ValueError(f"accountability is by leader, department or unit, not {by!r}")
    with store.read() as tx:
        if not tx.exists("trail_problems"):
            return []
        rows = tx.query(f"SELECT {by}, {_FACTS} FROM {tx.table('trail_problems')}"
                        " ORDER BY position")
        unit_rows = tx.query(f"SELECT unit, supervised, circulars, responses_overdue FROM"
                             f" {tx.table('trail_units')} ORDER BY unit") if by == "unit" else []
    groups: dict[str, list[tuple[str | None, ...]]] = {}
    for who, *facts in rows:
        if who is not None:
            groups.setdefault(who, []).append(tuple(facts))
    unit_notices = {str(u): (int(o), int(c), int(r)) for u, o, c, r in unit_rows}
    for unit in unit_notices:
        groups.setdefault(unit, [])
    return [_tally(who, facts, today, unit_notices.get(who, (0, 0, 0)))
            for who, facts in groups.items()]


def actions_of(store: ReadStore, actor: str) -> list[Action]:
    """Everything ``actor`` did, in the order it was recorded."""
    with store.read() as tx:
        if not tx.exists("trail_actions"):
            return []
        rows = tx.query(f"SELECT position, occurred_at, type, problem_id, unit, via FROM"
                        f" {tx.table('trail_actions')} WHERE actor = ? ORDER BY position",
                        (actor,))
    return [Action(int(position), datetime.fromisoformat(at), kind, problem, unit, via)
            for position, at, kind, problem, unit, via in rows]
