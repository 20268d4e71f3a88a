"""The read-model store on its own: exactly-once batches, generations swapped whole."""

from __future__ import annotations

from datetime import date

import pytest

from events.recorded import RecordedEvent
from projections.engine.catalog import PROJECTORS, projectors
from projections.engine.projector import Recorded, RewindNeededError, apply_batch, positions
from projections.models.ledger import read_ledger
from projections.models.trail import accountability
from tests.projections.conftest import StoreFactory
from tests.projections.stories import Story

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
