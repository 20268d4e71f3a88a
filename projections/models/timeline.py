"""The audit timeline (审计轨迹): every event of a problem, in order, with who, how, when, where.

Each entry keeps the event's exact bytes and a digest chained over the problem's earlier
entries (sha256 of the previous digest and this body), so an auditor can check that the
history of a problem was not altered after the fact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from events.lifecycle import ProblemEvent, parse_event
from projections.engine.projector import Index, Recorded
from projections.engine.rows import KeyedRows
from projections.engine.store import ReadStore, SqlValue, Tx
from projections.models.facts import reported_before


def chained(previous: str, body: bytes) -> str:
    return hashlib.sha256(previous.encode("ascii") + body).hexdigest()


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a problem's history: its version, its stream position, its digest."""

    position: int
    version: int
    event: ProblemEvent
    body: str
    digest: str

    def as_dict(self) -> dict[str, str | int | None]:
        event = self.event
        return {
            "position": self.position, "version": self.version, "type": event.type,
            "occurred_at": event.occurred_at.isoformat(), "actor": event.actor,
            "via": event.via.value, "channel": event.channel.value if event.channel else None,
            "digest": self.digest,
        }

    @property
    def occurred_at(self) -> datetime:
        return self.event.occurred_at


class TimelineProjector:
    """Keeps every event of every problem, keyed by stream position."""

    name = "timeline"
    version = 1
    indexes: Sequence[Index] = (Index("timeline_by_problem", "timeline", "problem_id, position"),)

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('timeline')} (position INTEGER PRIMARY KEY,"
                   " problem_id TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL,"
                   " actor TEXT NOT NULL, occurred_at TEXT NOT NULL, body TEXT NOT NULL,"
                   " digest TEXT NOT NULL)")
        tx.execute(f"CREATE TABLE {tx.table('timeline_heads')} (problem_id TEXT PRIMARY KEY,"
                   " version INTEGER NOT NULL, digest TEXT NOT NULL)")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        heads = KeyedRows(tx, tx.table("timeline_heads"), "problem_id", ("version", "digest"))
        heads.load(reported_before(batch))
        entries: list[tuple[SqlValue, ...]] = []
        for recorded in batch:
            event, key = recorded.event, recorded.problem
            if not key:  # unit facts: no problem timeline
                continue
            head = heads.get(key)
            version = int(head["version"] or 0) + 1 if head is not None else 1
            digest = chained(str(head["digest"]) if head is not None else "", recorded.body)
            entries.append((recorded.position, key, version, event.type, event.actor,
                            recorded.at, recorded.body.decode("utf-8"),
                            digest))
            heads.add(key, {"version": version, "digest": digest})
        tx.executemany(f"INSERT INTO {tx.table('timeline')} (position, problem_id, version, type,"
                       " actor, occurred_at, body, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       entries)
        heads.flush()


def problem_timeline(store: ReadStore, problem_id: UUID | str) -> list[TimelineEntry]:
    """Every event of one problem, oldest first."""
    with store.read() as tx:
        if not tx.exists("timeline"):
            return []
        rows = tx.query(f"SELECT position, version, body, digest FROM {tx.table('timeline')}"
                        " WHERE problem_id = ? ORDER BY position", (str(problem_id),))
    return [TimelineEntry(int(p), int(v), parse_event(body), body, d) for p, v, body, d in rows]


def chain_holds(entries: Sequence[TimelineEntry]) -> bool:
    """Whether each digest follows from the bodies before it (an auditor's check)."""
    previous = ""
    for entry in entries:
        previous = chained(previous, entry.body.encode("utf-8"))
        if previous != entry.digest:
            return False
    return True
