"""建章立制: the rules, procedures and lasting mechanisms units adopted, as the summary reads them.

One row per ``MechanismAdopted``, in the order recorded, with the problems and categories it
answers (so the summary can say which mechanism answers which kind of problem).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from events.supervision import MechanismAdopted
from events.vocabulary import Category, MechanismKind
from projections.engine.projector import Index, Recorded
from projections.engine.store import ReadStore, Tx


@dataclass(frozen=True)
class MechanismLine:
    """One mechanism a unit adopted."""

    unit: str
    title: str
    kind: MechanismKind
    adopted_on: date
    document: str
    problems: tuple[str, ...]
    categories: tuple[Category, ...]


class MechanismsProjector:
    """Keeps every adopted mechanism."""

    name = "mechanisms"
    version = 1
    indexes: Sequence[Index] = ()

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('mechanisms')} (position INTEGER PRIMARY KEY,"
                   " unit TEXT NOT NULL, title TEXT NOT NULL, kind TEXT NOT NULL,"
                   " adopted_on TEXT NOT NULL, document TEXT, problems TEXT NOT NULL,"
                   " categories TEXT NOT NULL)")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        for recorded in batch:
            event = recorded.event
            if isinstance(event, MechanismAdopted):
                tx.execute(f"INSERT INTO {tx.table('mechanisms')} (position, unit, title, kind,"
                           " adopted_on, document, problems, categories)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (recorded.position, event.unit, event.title, event.kind.value,
                            event.adopted_on.isoformat(), event.document,
                            json.dumps([str(p) for p in event.problems]),
                            json.dumps([c.value for c in event.categories])))


def read_mechanisms(store: ReadStore, unit: str | None = None) -> list[MechanismLine]:
    """Every mechanism adopted (or only ``unit``'s), in the order recorded."""
    with store.read() as tx:
        if not tx.exists("mechanisms"):
            return []
        rows = tx.query(f"SELECT unit, title, kind, adopted_on, document, problems, categories"
                        f" FROM {tx.table('mechanisms')} ORDER BY position")
    return [MechanismLine(owner, title, MechanismKind(kind), date.fromisoformat(adopted_on),
                          document or "", tuple(json.loads(problems)),
                          tuple(Category(c) for c in json.loads(categories)))
            for owner, title, kind, adopted_on, document, problems, categories in rows
            if unit is None or owner == unit]
