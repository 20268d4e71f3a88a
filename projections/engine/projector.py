"""Projectors (投影器): what turns recorded events into a read model, exactly once.

A projector has a name and a version, creates its tables in a generation, and applies a batch
of recorded events. The version changes whenever the tables or what an event does to them
change; a generation built by another version is stale and is rebuilt rather than migrated
(the event log is the source of truth, so a replay is always the right answer).

``apply_batch`` applies the part of the batch a projector has not seen and advances its
position in the same transaction, so replaying a batch twice has no further effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from events.recorded import RecordedEvent, problem_of
from projections.engine.rows import KeptRows
from projections.engine.store import ReadStore, Tx, position, set_position, set_version, versions
from projections.models.facts import local_date


class Recorded:
    """One event as it stands in the EVENTS stream: its position (stream sequence) and body.

    What every read model reads the same way is worked out once, for all projectors:
    ``problem`` is the problem id as the read models key it (empty for a unit fact), ``at``
    the moment it occurred as ISO text, and ``day`` its calendar day in China as ISO text.

    Read-only (``Final``). A plain class with slots: a rebuild makes one per event, and a frozen
    dataclass took twice as long to make (its every field set through ``object.__setattr__``).
    """

    __slots__ = ("at", "body", "day", "event", "position", "problem")

    def __init__(self, position: int, event: RecordedEvent, body: bytes) -> None:
        problem = problem_of(event)
        self.position: Final = position
        self.event: Final = event
        self.body: Final = body
        self.problem: Final = str(problem) if problem is not None else ""
        self.at: Final = event.occurred_at.isoformat()
        self.day: Final = local_date(event.occurred_at).isoformat()

    def __repr__(self) -> str:
        return f"Recorded({self.position}, {type(self.event).__name__})"


@dataclass(frozen=True)
class Index:
    """A secondary index: what readers look rows up by. No upsert conflicts on it and no
    projector reads by it while applying, so a rebuild creates it once the tables are filled
    (one sort) instead of keeping it up to date row by row."""

    name: str
    table: str
    columns: str

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE INDEX {tx.table(self.name)} ON {tx.table(self.table)}"
                   f" ({self.columns})")


class Projector(Protocol):
    """Builds one read model; unknown event types are ignored, never an error."""

    name: str
    version: int
    indexes: Sequence[Index]
    """Created after the tables: at once in a live generation, at the end of a rebuild."""

    def create(self, tx: Tx) -> None:
        """Create this read model's tables in ``tx``'s generation, with the indexes that
        applying needs (a unique key an upsert conflicts on, a column it updates by)."""

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        """Apply consecutive events, in order, inside ``tx``."""


class RewindNeededError(Exception):
    """A projector's stored position is behind the batch: events must be read again from it.

    This happens after a rebuild made a generation live that is behind the running reader.
    """

    def __init__(self, stored: int) -> None:
        super().__init__(f"projector position is {stored}: read again from {stored + 1}")
        self.stored = stored


def prepare(tx: Tx, projector: Projector, *, indexed: bool = True) -> int:
    """The projector's position in ``tx``'s generation, creating its tables on first use (and
    its secondary indexes, unless not ``indexed``: ``create_indexes`` makes them later)."""
    stored = position(tx, projector.name)
    if stored is None:
        projector.create(tx)
        if indexed:
            _index(tx, projector)
        set_position(tx, projector.name, 0)
        set_version(tx, projector.name, projector.version)
        return 0
    return stored


@dataclass(frozen=True)
class StaleModel:
    """A read model whose tables were built by another version of its projector."""

    name: str
    built_by: int
    current: int


def stale_models(store: ReadStore, projectors: Sequence[Projector]) -> list[StaleModel]:
    """The live read models that must be rebuilt before they can be read or followed."""
    with store.read() as tx:
        built = versions(tx)
    return [StaleModel(p.name, built[p.name], p.version) for p in projectors
            if p.name in built and built[p.name] != p.version]


def _index(tx: Tx, projector: Projector) -> None:
    for index in projector.indexes:
        index.create(tx)


def positions(store: ReadStore, projectors: Sequence[Projector], generation: int | None = None,
              *, indexed: bool = True) -> dict[str, int]:
    with store.write(generation) as tx:
        return {p.name: prepare(tx, p, indexed=indexed) for p in projectors}


def create_indexes(store: ReadStore, projectors: Sequence[Projector], generation: int) -> None:
    """The secondary indexes of a generation whose tables were made without them."""
    with store.write(generation) as tx:
        for projector in projectors:
            _index(tx, projector)


def apply_batch(store: ReadStore, projectors: Sequence[Projector], batch: Sequence[Recorded],
                generation: int | None = None, kept: KeptRows | None = None) -> None:
    """Apply ``batch`` (consecutive positions) to each projector in one transaction, reading
    the rows ``kept`` from the batch before where there are (see ``KeptRows``)."""
    if not batch:
        return
    first, last = batch[0].position, batch[-1].position
    try:
        with store.write(generation) as tx:
            tx.kept = kept
            for projector in projectors:
                stored = prepare(tx, projector)
                if stored < first - 1:
                    raise RewindNeededError(stored)
                unseen = batch[stored - first + 1 :] if stored >= first else batch
                if unseen:
                    projector.apply(tx, unseen)
                    set_position(tx, projector.name, last)
    except BaseException:
        if kept is not None:
            kept.forget()  # rolled back: what it kept may be ahead of the store
        raise
