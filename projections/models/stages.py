"""Time in each stage (各环节用时): how long each problem stayed in each status it has left.

Every status change ends a stay: its seconds are added to the problem's total for the status
left. A problem sent back or reopened enters a status again and its stays add up. The stay in
the current status is not counted until it ends, so the figures never depend on the day read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from events.status import status_after
from events.vocabulary import ProblemStatus
from projections.engine.projector import Index, Recorded
from projections.engine.rows import KeyedRows
from projections.engine.store import ReadStore, Tx
from projections.models.facts import reported_before


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
    indexes: Sequence[Index] = ()

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('stage_now')} (problem_id TEXT PRIMARY KEY,"
                   " status TEXT NOT NULL, since TEXT NOT NULL)")
        tx.execute(f"CREATE TABLE {tx.table('stage_times')} (problem_id TEXT NOT NULL,"
                   " status TEXT NOT NULL, seconds INTEGER NOT NULL,"
                   " PRIMARY KEY (problem_id, status))")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        now = KeyedRows(tx, tx.table("stage_now"), "problem_id", ("status", "since"))
        now.load(reported_before(batch))
        stays: dict[tuple[str, str], int] = {}
        for recorded in batch:
            event, key = recorded.event, recorded.problem
            if not key or (status := status_after(event)) is None:
                continue
            at = event.occurred_at
            left = now.get(key)
            if left is not None:
                stayed = int((at - datetime.fromisoformat(str(left["since"]))).total_seconds())
                stay = (key, str(left["status"]))
                stays[stay] = stays.get(stay, 0) + max(stayed, 0)
            now.add(key, {"status": status.value, "since": recorded.at})
        times = tx.table("stage_times")
        tx.executemany(f"INSERT INTO {times} (problem_id, status, seconds) VALUES (?, ?, ?)"
                       f" ON CONFLICT (problem_id, status) DO UPDATE SET"
                       f" seconds = {times}.seconds + excluded.seconds",
                       [(key, status, seconds) for (key, status), seconds in stays.items()])
        now.flush()


def read_stage_times(store: ReadStore) -> list[StageTime]:
    """Every problem's finished stays, totalled per status."""
    with store.read() as tx:
        if not tx.exists("stage_times"):
            return []
        rows = tx.query(f"SELECT problem_id, status, seconds FROM {tx.table('stage_times')}"
                        " ORDER BY problem_id, status")
    return [StageTime(problem_id, ProblemStatus(status), int(seconds))
            for problem_id, status, seconds in rows]
