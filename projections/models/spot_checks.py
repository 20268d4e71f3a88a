"""重点抽查结果: each spot check as recorded: how it was done (听取汇报、评查案卷、回访行政相对人、
实地查看), what it found, what it concluded, and the problems its findings filed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from events.supervision import SpotCheckRecorded
from events.vocabulary import SpotCheckMethod, SpotCheckResult
from projections.engine.projector import Index, Recorded
from projections.engine.store import ReadStore, Tx


@dataclass(frozen=True)
class SpotCheckLine:
    """One recorded spot check of one unit."""

    unit: str
    methods: tuple[SpotCheckMethod, ...]
    findings: str
    result: SpotCheckResult
    conclusion: str
    problems: tuple[str, ...]
    recorded_at: datetime
    recorded_by: str


class SpotChecksProjector:
    """Keeps every spot check's method, findings, result and the problems filed from it."""

    name = "spot_checks"
    version = 1
    indexes: Sequence[Index] = ()

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('spot_check_results')} (position INTEGER PRIMARY KEY,"
                   " unit TEXT NOT NULL, methods TEXT NOT NULL, findings TEXT NOT NULL,"
                   " result TEXT NOT NULL, conclusion TEXT, problems TEXT NOT NULL,"
                   " recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL)")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        rows = [(r.position, r.event.unit, ",".join(m.value for m in r.event.methods),
                 r.event.findings, r.event.result.value, r.event.conclusion,
                 ",".join(str(p) for p in r.event.problems), r.at, r.event.actor)
                for r in batch if isinstance(r.event, SpotCheckRecorded)]
        tx.executemany(f"INSERT INTO {tx.table('spot_check_results')} VALUES"
                       " (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def read_spot_checks(store: ReadStore, unit: str | None = None) -> list[SpotCheckLine]:
    """Every recorded spot check (of ``unit`` only, if given), in the order recorded."""
    with store.read() as tx:
        if not tx.exists("spot_check_results"):
            return []
        rows = tx.query(f"SELECT unit, methods, findings, result, conclusion, problems,"
                        f" recorded_at, recorded_by FROM {tx.table('spot_check_results')}"
                        " ORDER BY position")
    return [SpotCheckLine(owner, tuple(SpotCheckMethod(m) for m in methods.split(",") if m),
                          findings, SpotCheckResult(result), conclusion or "",
                          tuple(p for p in problems.split(",") if p),
                          datetime.fromisoformat(recorded_at), recorded_by)
            for owner, methods, findings, result, conclusion, problems, recorded_at, recorded_by
            in rows if unit is None or owner == unit]
