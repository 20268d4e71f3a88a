"""整改方案 and 工作方案: the plan documents units and the bureau filed, as the summary and
``rectify plan list`` read them (the latest of each kind per unit; earlier ones were revised)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from events.supervision import PlanFiled
from events.vocabulary import PlanKind
from projections.engine.projector import Index, Recorded
from projections.engine.store import ReadStore, Tx

PARTS = ("content", "goals", "measures", "schedule", "responsible")
"""The parts the notice asks a plan to have, in its order."""


@dataclass(frozen=True)
class PlanLine:
    """One unit's plan of one kind, as last filed."""

    unit: str
    kind: PlanKind
    title: str
    adopted_on: date
    document: str
    content: str
    goals: str
    measures: str
    schedule: str
    responsible: str
    revisions: int


class PlansProjector:
    """Keeps each unit's latest 整改方案 and 工作方案."""

    name = "plans"
    version = 1
    indexes: Sequence[Index] = ()

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('plans')} (unit TEXT NOT NULL, kind TEXT NOT NULL,"
                   " position INTEGER NOT NULL, title TEXT NOT NULL, adopted_on TEXT NOT NULL,"
                   " document TEXT, content TEXT NOT NULL, goals TEXT NOT NULL,"
                   " measures TEXT NOT NULL, schedule TEXT NOT NULL, responsible TEXT NOT NULL,"
                   " revisions INTEGER NOT NULL, PRIMARY KEY (unit, kind))")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        table = tx.table("plans")
        for recorded in batch:
            event = recorded.event
            if isinstance(event, PlanFiled):
                tx.execute(f"INSERT INTO {table} (unit, kind, position, title, adopted_on,"
                           " document, content, goals, measures, schedule, responsible,"
                           " revisions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
                           " ON CONFLICT (unit, kind) DO UPDATE SET position = excluded.position,"
                           " title = excluded.title, adopted_on = excluded.adopted_on,"
                           " document = excluded.document, content = excluded.content,"
                           " goals = excluded.goals, measures = excluded.measures,"
                           " schedule = excluded.schedule, responsible = excluded.responsible,"
                           f" revisions = {table}.revisions + 1",
                           (event.unit, event.kind.value, recorded.position, event.title,
                            event.adopted_on.isoformat(), event.document, event.content,
                            event.goals, event.measures, event.schedule, event.responsible))


def read_plans(store: ReadStore, unit: str | None = None) -> list[PlanLine]:
    """Every unit's latest plans (or only ``unit``'s), in the order last filed."""
    with store.read() as tx:
        if not tx.exists("plans"):
            return []
        rows = tx.query(f"SELECT unit, kind, title, adopted_on, document, content, goals,"
                        f" measures, schedule, responsible, revisions FROM {tx.table('plans')}"
                        " ORDER BY position")
    return [PlanLine(owner, PlanKind(kind), title, date.fromisoformat(adopted_on),
                     document or "", content, goals, measures, schedule, responsible,
                     int(revisions))
            for owner, kind, title, adopted_on, document, content, goals, measures, schedule,
            responsible, revisions in rows if unit is None or owner == unit]
