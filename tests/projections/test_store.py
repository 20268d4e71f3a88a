"""The read-model store on its own: exactly-once batches, generations swapped whole."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from events.recorded import RecordedEvent
from projections.engine.catalog import PROJECTORS, projectors
from projections.engine.projector import Recorded, RewindNeededError, apply_batch, positions
from projections.engine.rows import KeptRows, Row
from projections.engine.store import ReadStore, SqliteStore
from projections.models.ledger import read_ledger
from projections.models.trail import accountability
from tests.projections.conftest import StoreFactory
from tests.projections.stories import Story, random_history

TODAY = date(2023, 3, 10)


def recorded(events: list[RecordedEvent], first: int = 1) -> list[Recorded]:
    return [Recorded(first + i, event, event.model_dump_json().encode())
            for i, event in enumerate(events)]


def three_reports() -> list[RecordedEvent]:
    story = Story()
    for n in range(3):
        story.report(on=n)
    return story.events


def test_a_store_nobody_projected_into_reads_as_empty(open_store: StoreFactory) -> None:
    store = open_store()

    assert read_ledger(store, TODAY) == []
    assert accountability(store, "unit", TODAY) == []


def test_applying_the_same_batch_twice_has_no_further_effect(open_store: StoreFactory) -> None:
    store, batch = open_store(), recorded(three_reports())

    apply_batch(store, projectors(), batch)
    once = read_ledger(store, TODAY)
    apply_batch(store, projectors(), batch)
    apply_batch(store, projectors(), batch[1:])

    assert read_ledger(store, TODAY) == once
    assert [row.no for row in once[0].rows] == [1, 2, 3]
    assert positions(store, projectors()) == dict.fromkeys(PROJECTORS, 3)


def test_a_batch_beyond_the_stored_position_asks_to_read_again_and_changes_nothing(
    open_store: StoreFactory,
) -> None:
    store, batch = open_store(), recorded(three_reports())
    apply_batch(store, projectors(), batch[:1])

    with pytest.raises(RewindNeededError) as rewind:
        apply_batch(store, projectors(), batch[2:])

    assert rewind.value.stored == 1
    assert len(read_ledger(store, TODAY)[0].rows) == 1


def test_readers_see_the_live_generation_until_a_new_one_is_made_live(
    open_store: StoreFactory,
) -> None:
    writer, reader, batch = open_store(), open_store(), recorded(three_reports())
    apply_batch(writer, projectors(), batch[:1])

    fresh = writer.new_generation()
    apply_batch(writer, projectors(), batch, generation=fresh)
    assert len(read_ledger(reader, TODAY)[0].rows) == 1
    writer.make_live(fresh)

    assert len(read_ledger(reader, TODAY)[0].rows) == 3
    assert reader.live_generation() == fresh


KEYS = {"ledger_rows": "problem_id", "ledger_units": "unit", "problems": "problem_id",
        "trail_problems": "problem_id", "trail_units": "unit", "timeline_heads": "problem_id",
        "stage_now": "problem_id"}
"""Every table whose rows a writer keeps between batches, and its key."""


def kept_and_stored(store: ReadStore, kept: KeptRows) -> list[tuple[Row, Row | None]]:
    """Each row ``kept`` holds, beside the same row as stored."""
    pairs: list[tuple[Row, Row | None]] = []
    with store.read() as tx:
        for table, key in KEYS.items():
            for value, row in kept.of(tx.table(table)).items():
                columns = ", ".join(row)
                found = tx.query(f"SELECT {columns} FROM {tx.table(table)} WHERE {key} = ?",
                                 (value,))
                pairs.append((row, dict(zip(row, found[0], strict=True)) if found else None))
    return pairs


def test_the_rows_a_writer_keeps_between_batches_are_those_stored(
    open_store: StoreFactory,
) -> None:
    store, kept = open_store(), KeptRows()
    batch = recorded(random_history(random.Random(4), 1200))
    for start in range(0, len(batch), 150):
        apply_batch(store, projectors(), batch[start:start + 150], kept=kept)
        pairs = kept_and_stored(store, kept)
        assert all(kept_row == stored for kept_row, stored in pairs)
    assert len(pairs) > 100


def test_a_failed_batch_forgets_the_rows_kept(open_store: StoreFactory) -> None:
    store, kept, batch = open_store(), KeptRows(), recorded(three_reports())
    apply_batch(store, projectors(), batch[:1], kept=kept)
    with store.read() as tx:
        problems = tx.table("problems")
    assert kept.of(problems)
    apply_batch(store, projectors()[:1], batch[1:2])  # the ledger alone goes ahead

    with pytest.raises(RewindNeededError):
        apply_batch(store, projectors(), batch[2:], kept=kept)

    assert not kept.of(problems)


def _fill(store: ReadStore, megabytes: int) -> None:
    """One transaction that leaves far more than the 1,000 pages that start a checkpoint."""
    with store.write() as tx:
        tx.execute("CREATE TABLE filler (n INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        tx.executemany("INSERT INTO filler (text) VALUES (?)",
                       [("x" * 1000,) for _ in range(megabytes * 1000)])


@pytest.mark.parametrize("checkpoints", [True, False])
def test_a_store_opened_without_checkpoints_leaves_them_to_the_one_that_checkpoints(
    tmp_path: Path, checkpoints: bool
) -> None:
    path = tmp_path / "read-models.sqlite3"
    rebuilding = SqliteStore(path)
    opener = rebuilding.opener(checkpoints=checkpoints)
    assert opener is not None
    writer = opener()
    empty = path.stat().st_size

    _fill(writer, megabytes=8)
    copied_at_commit = path.stat().st_size - empty
    rebuilding.checkpoint()
    copied = path.stat().st_size - empty

    assert copied > 8_000_000, "every committed page is in the database file after a checkpoint"
    if checkpoints:
        assert copied_at_commit == copied, "the writer's commit copied its pages itself"
    else:
        assert copied_at_commit == 0, "the writer's commit left its pages in the log"
    with writer.read() as tx:
        assert tx.query("SELECT COUNT(*) FROM filler") == [(8000,)]
