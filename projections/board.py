"""The supervision board (督办看板), basics: what needs the section's attention on a given day.

Overdue problems (most overdue first), reports that nobody has assigned for more than a number
of days (oldest first), and public reports still without an answer (oldest first: 件件有回音).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from events.vocabulary import Channel, ProblemStatus
from projections.facts import is_overdue, local_date
from projections.store import ReadStore

UNASSIGNED_DAYS = 5
"""How long a report may wait for its four determinations before the board shows it."""
_WAITING_FOR_ASSIGNMENT = frozenset({ProblemStatus.REPORTED, ProblemStatus.TRIAGED})


@dataclass(frozen=True)
class BoardItem:
    """One problem on the board, and since when (and for how many days) it has been waiting."""

    problem_id: str
    unit: str
    problem: str
    status: ProblemStatus
    channel: Channel
    since: date
    days: int
    leader: str
    department: str


@dataclass(frozen=True)
class Board:
    today: date
    overdue: tuple[BoardItem, ...]
    unassigned: tuple[BoardItem, ...]
    unanswered: tuple[BoardItem, ...]


def _waiting_since(item: BoardItem, since: date, today: date) -> BoardItem:
    return replace(item, since=since, days=(today - since).days)


def read_board(store: ReadStore, today: date,
               unassigned_days: int = UNASSIGNED_DAYS) -> Board:
    """The board for ``today``."""
    with store.read() as tx:
        rows = tx.query(f"SELECT problem_id, unit, problem, status, channel, leader, department,"
                        f" reported_at, deadline, answered_at FROM {tx.table('problems')}"
                        " ORDER BY position") if tx.exists("problems") else []
    overdue, unassigned, unanswered = [], [], []
    for problem_id, unit, text, status, channel, leader, department, reported_at, deadline, \
            answered_at in rows:
        state, source = ProblemStatus(status), Channel(channel)
        reported_on = local_date(datetime.fromisoformat(reported_at))
        due = date.fromisoformat(deadline) if deadline else None
        item = BoardItem(problem_id, unit, text, state, source, reported_on, 0, leader or "",
                         department or "")
        if due is not None and is_overdue(state, due, today):
            overdue.append(_waiting_since(item, due, today))
        if state in _WAITING_FOR_ASSIGNMENT and (today - reported_on).days > unassigned_days:
            unassigned.append(_waiting_since(item, reported_on, today))
        if source.is_public and answered_at is None:
            unanswered.append(_waiting_since(item, reported_on, today))
    return Board(today, *(tuple(sorted(items, key=lambda i: i.since))
                          for items in (overdue, unassigned, unanswered)))
