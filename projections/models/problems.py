"""One row per problem with every fact the statistics and the supervision board count.

Keyed by the stream position of the report (an ordered key: SQLite appends rather than
splits pages). Times are stored as ISO text in UTC as recorded; days are worked out on reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from events.lifecycle import (
    DeadlineExtended,
    FixSentBack,
    ProblemClosed,
    ProblemReopened,
    ProblemReported,
    ProblemTriaged,
    RectificationAssigned,
    ReporterAnswered,
    SatisfactionRecorded,
)
from events.recorded import RecordedEvent
from events.status import is_overdue, status_after
from events.supervision import ReboundSuspected
from events.vocabulary import ProblemStatus, Satisfaction, Via
from projections.engine.projector import Index, Recorded
from projections.engine.rows import KeyedRows, Row
from projections.engine.store import ReadStore, Tx
from projections.models.facts import SET_AT_REPORT, local_date, notice_counter, reported_before
from projections.models.trail import Dimension

_COUNTERS: dict[type, str] = {FixSentBack: "sent_back", ProblemReopened: "reopened"}


class ProblemsProjector:
    """Keeps each problem's unit, category, channel, status, dates and counters.

    Version 2: whether someone is owed an answer (``answerable``), when the outcome was told
    (``outcome_at``), the reporter's latest satisfaction, and whether a 不满意 awaits action
    (neither reopened nor answered anew since), and the plan (立行立改 or a roadmap).
    Version 3: the cause chosen at triage, whether the case is typical and why, when a person
    last acted on it (not the system's warnings), and whether it came back as a rebound.
    """

    name = "problems"
    version = 3
    indexes: Sequence[Index] = ()

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('problems')} (position INTEGER PRIMARY KEY,"
                   " problem_id TEXT NOT NULL UNIQUE, unit TEXT NOT NULL, category TEXT NOT NULL,"
                   " channel TEXT NOT NULL, status TEXT NOT NULL, problem TEXT NOT NULL,"
                   " reported_at TEXT NOT NULL, assigned_at TEXT, deadline TEXT, leader TEXT,"
                   " department TEXT, closed_at TEXT, answered_at TEXT,"
                   " answerable INTEGER NOT NULL DEFAULT 0, outcome_at TEXT, satisfaction TEXT,"
                   " dissatisfied_open INTEGER NOT NULL DEFAULT 0, plan TEXT,"
                   " cause TEXT, typical INTEGER NOT NULL DEFAULT 0, typical_reasons TEXT,"
                   " last_activity_at TEXT, rebound INTEGER NOT NULL DEFAULT 0,"
                   " sent_back INTEGER NOT NULL DEFAULT 0, reopened INTEGER NOT NULL DEFAULT 0,"
                   " orders INTEGER NOT NULL DEFAULT 0)")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        rows = KeyedRows(tx, tx.table("problems"), "problem_id", _COLUMNS, SET_AT_REPORT)
        rows.load(reported_before(batch))
        for recorded in batch:
            event = recorded.event
            if not recorded.problem:  # unit facts: not about one problem
                continue
            if isinstance(event, ProblemReported):
                rows.add(recorded.problem, _reported(recorded, event))
            elif (row := rows.get(recorded.problem)) is not None and _changes(row, event,
                                                                             recorded.at):
                rows.changed(recorded.problem)
        rows.flush()


_COLUMNS = ("position", "unit", "category", "channel", "status", "problem", "reported_at",
            "assigned_at", "deadline", "leader", "department", "closed_at", "answered_at",
            "answerable", "outcome_at", "satisfaction", "dissatisfied_open", "plan",
            "cause", "typical", "typical_reasons", "last_activity_at", "rebound",
            "sent_back", "reopened", "orders")


def _reported(recorded: Recorded, event: ProblemReported) -> Row:
    return {"position": recorded.position, "unit": event.unit, "category": event.category.value,
            "channel": event.channel.value, "status": ProblemStatus.REPORTED.value,
            "problem": event.problem, "reported_at": recorded.at,
            "assigned_at": None, "deadline": None, "leader": None, "department": None,
            "closed_at": None, "answered_at": None,
            "answerable": int(event.channel.answers_reporter(event.reporter is not None)),
            "outcome_at": None, "satisfaction": None, "dissatisfied_open": 0, "plan": None,
            "cause": None, "typical": 0, "typical_reasons": None, "last_activity_at": recorded.at,
            "rebound": 0, "sent_back": 0, "reopened": 0, "orders": 0}


def _changes(row: Row, event: RecordedEvent, at: str) -> bool:
    """Apply ``event`` to its problem's ``row``; whether it changed anything."""
    sets: Row = {}
    if (status := status_after(event)) is not None:
        sets.update(status=status.value, closed_at=None)
    if event.via is not Via.SYSTEM:
        sets["last_activity_at"] = at
    if isinstance(event, ProblemTriaged):
        sets.update(category=event.category.value, cause=event.cause,
                    typical=int(event.typical),
                    typical_reasons=",".join(r.value for r in event.typical_reasons))
    elif isinstance(event, ReboundSuspected):
        sets["rebound"] = 1
    elif isinstance(event, RectificationAssigned):
        sets.update(assigned_at=at, deadline=event.deadline.isoformat(),
                    leader=event.leader, department=event.department, plan=event.plan.value)
    elif isinstance(event, DeadlineExtended):
        sets["deadline"] = event.deadline.isoformat()
    elif isinstance(event, ProblemClosed):
        sets["closed_at"] = at
    elif isinstance(event, ReporterAnswered):
        sets["answered_at"] = at
        if event.outcome:
            sets.update(outcome_at=at, dissatisfied_open=0)
    elif isinstance(event, SatisfactionRecorded):
        sets.update(satisfaction=event.satisfaction.value, dissatisfied_open=int(
            event.satisfaction is Satisfaction.DISSATISFIED))
    if isinstance(event, ProblemReopened):  # a new outcome is owed, and acted on
        sets.update(outcome_at=None, dissatisfied_open=0)
    if (counter := _COUNTERS.get(type(event))
            or ("orders" if notice_counter(event) == "supervised" else None)) is not None:
        sets[counter] = int(row[counter] or 0) + 1
    row.update(sets)
    return bool(sets)


@dataclass(frozen=True)
class ProblemFacts:
    """One problem's row, as the trail lists it under a leader, department or unit."""

    problem_id: str
    unit: str
    problem: str
    status: ProblemStatus
    reported_at: datetime
    assigned_at: datetime | None
    deadline: date | None
    closed_at: datetime | None
    leader: str
    department: str
    sent_back: int
    reopened: int
    orders: int

    def overdue(self, today: date) -> bool:
        return is_overdue(self.status, self.deadline, today)

    def closed_late(self) -> bool:
        return (self.closed_at is not None and self.deadline is not None
                and local_date(self.closed_at) > self.deadline)


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def problems_of(store: ReadStore, by: Dimension, who: str) -> list[ProblemFacts]:
    """The problems that ``who`` (a leader, department or unit) answers for, in report order."""
    if by not in ("leader", "department", "unit"):
        raise ValueError(f"problems are listed by leader, department or unit, not {by!r}")
    with store.read() as tx:
        if not tx.exists("problems"):
            return []
        rows = tx.query(f"SELECT problem_id, unit, problem, status, reported_at, assigned_at,"
                        f" deadline, closed_at, leader, department, sent_back, reopened, orders"
                        f" FROM {tx.table('problems')} WHERE {by} = ? ORDER BY position", (who,))
    return [
        ProblemFacts(problem_id, unit, text, ProblemStatus(status),
                     datetime.fromisoformat(reported_at), _moment(assigned_at),
                     date.fromisoformat(deadline) if deadline else None, _moment(closed_at),
                     leader or "", department or "", int(sent_back), int(reopened), int(orders))
        for problem_id, unit, text, status, reported_at, assigned_at, deadline, closed_at,
        leader, department, sent_back, reopened, orders in rows
    ]
