"""Time in each stage (各环节用时): how long each problem stayed in each status it has left.

Every status change ends a stay: its seconds are added to the problem's total for the status
left. A problem sent back or reopened enters a status again and its stays add up. The stay in
the current status is not counted until it ends, so the figures never depend on the day read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from events.base import ProblemEventBase
from events.lifecycle import ProblemReported
from events.vocabulary import ProblemStatus
from projections.facts import status_after
from projections.projector import Recorded
from projections.store import ReadStore, Tx


@dataclass(frozen=True)
class StageTime:
    """How long one problem spent, in all, in one status it has since left."""

    problem_id: str
    status: ProblemStatus
    seconds: int


class StagesProjector:
    """Keeps each problem's current status and since when, and its finished stays."""

    name = "stages"
    version = 1

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('stage_now')} (problem_id TEXT PRIMARY KEY,"
                   " status TEXT NOT NULL, since TEXT NOT NULL)")
        tx.execute(f"CREATE TABLE {tx.table('stage_times')} (problem_id TEXT NOT NULL,"
                   " status TEXT NOT NULL, seconds INTEGER NOT NULL,"
                   " PRIMARY KEY (problem_id, status))")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        now, times = tx.table("stage_now"), tx.table("stage_times")
        for recorded in batch:
            event = recorded.event
            if not isinstance(event, ProblemEventBase):
                continue
            status = status_after(event)
            if status is None:
                continue
            key, at = str(event.problem_id), event.occurred_at
            first = isinstance(event, ProblemReported)  # no stay to end: spare the lookup
            left = [] if first else tx.query(
                f"SELECT status, since FROM {now} WHERE problem_id = ?", (key,))
            if left:
                stayed = int((at - datetime.fromisoformat(left[0][1])).total_seconds())
                tx.execute(f"INSERT INTO {times} (problem_id, status, seconds) VALUES (?, ?, ?)"
                           f" ON CONFLICT (problem_id, status) DO UPDATE SET"
                           f" seconds = {times}.seconds + excluded.seconds",
                           (key, left[0][0], max(stayed, 0)))
            tx.execute(f"INSERT INTO {now} (problem_id, status, since) VALUES (?, ?, ?)"
                       " ON CONFLICT (problem_id) DO UPDATE SET status = excluded.status,"
                       " since = excluded.since", (key, status.value, at.isoformat()))


def read_stage_times(store: ReadStore) -> list[StageTime]:
    """Every problem's finished stays, totalled per status."""
    with store.read() as tx:
        if not tx.exists("stage_times"):
            return []
        rows = tx.query(f"SELECT problem_id, status, seconds FROM {tx.table('stage_times')}"
                        " ORDER BY problem_id, status")
    return [StageTime(problem_id, ProblemStatus(status), int(seconds))
            for problem_id, status, seconds in rows]
