"""Rebuilding is a normal operation: the rebuilt views equal those built event by event, the
swap is atomic, and the view as of a past moment equals what the live view showed then."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.recorded import RecordedEvent
from projections.engine.catalog import PROJECTORS, projectors
from projections.engine.postgres import PostgresStore
from projections.engine.projector import positions, stale_models
from projections.engine.rebuild import build_as_of, rebuild
from projections.engine.runner import Progress, catch_up, nothing_passes, run
from projections.engine.service import run_projections
from projections.engine.store import ReadStore, SqliteStore
from projections.models.facts import local_date
from projections.models.ledger import read_ledger
from services.runtime.nats_server import EmbeddedNats
from tests.projections.conftest import StoreFactory
from tests.projections.stories import random_history
from tests.projections.streams import EventsStream, events_stream
from tests.projections.views import views

pytestmark = pytest.mark.integration
TODAY = date(2023, 3, 20)


async def built_bit_by_bit(stream: EventsStream, store: ReadStore,
                           history: list[RecordedEvent], rng: random.Random) -> None:
    """Publish in uneven chunks, catching up after each with small, uneven transactions."""
    published = 0
    while published < len(history):
        chunk = rng.randint(1, max(1, len(history) // 4))
        await stream.publish(history[published:published + chunk])
        published += chunk
        await catch_up(stream.js, store, projectors(), batch_size=rng.randint(1, 300))


def test_a_rebuilt_store_equals_the_one_built_event_by_event_over_1500_events(
    nats_server: EmbeddedNats, open_store: StoreFactory
) -> None:
    history = random_history(random.Random(2023), 1500)
    store = open_store()

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            await built_bit_by_bit(stream, store, history, random.Random(5))
            incremental = views(store, history, TODAY)
            seen_during: list[bool] = []

            def reader_sees_the_old_view(_: Progress) -> None:
                seen_during.append(views(store, history, TODAY) == incremental)

            generation = store.live_generation()
            # Batches of 500: the rebuild goes through a writer process, as a campaign's does.
            assert await rebuild(stream.js, store, batch_size=500,
                                 on_progress=reader_sees_the_old_view) == 1500
            assert store.live_generation() == generation + 1
            assert seen_during
            assert all(seen_during)
            assert views(store, history, TODAY) == incremental

    asyncio.run(scenario())


def secondary_indexes(store: ReadStore) -> tuple[set[str], set[str]]:
    """The live generation's secondary indexes: the projectors', and those the store has."""
    with store.read() as tx:
        wanted = {tx.table(index.name) for p in projectors() for index in p.indexes}
        if isinstance(store, PostgresStore):
            found = tx.query("SELECT indexname FROM pg_indexes WHERE schemaname = ?",
                             (store.schema,))
        else:
            found = tx.query("SELECT name FROM sqlite_master WHERE type = 'index'")
    return wanted, {str(name) for (name,) in found}


def test_a_rebuilt_generation_has_the_secondary_indexes_a_live_one_has(
    nats_server: EmbeddedNats, open_store: StoreFactory
) -> None:
    history = random_history(random.Random(8), 400)
    store = open_store()

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            await stream.publish(history)
            await catch_up(stream.js, store, projectors())
            wanted, found = secondary_indexes(store)
            assert len(wanted) == 3
            assert wanted <= found
            # Batches of 100: the writer process applies them, the indexes come at the end.
            await rebuild(stream.js, store, batch_size=100)
            wanted, found = secondary_indexes(store)
            assert wanted <= found
            assert all(name.startswith(f"g{store.live_generation()}_") for name in wanted)

    asyncio.run(scenario())


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1000, 1400))
def test_any_valid_history_projects_the_same_incrementally_and_rebuilt(
    nats_server: EmbeddedNats, tmp_path: Path, seed: int, size: int
) -> None:
    rng = random.Random(seed)  # Hypothesis picks (and shrinks) the seed, not every draw
    history = random_history(rng, size)
    store = SqliteStore(tmp_path / f"{uuid.uuid4().hex}.db")

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            await stream.recreate()
            await built_bit_by_bit(stream, store, history, rng)
            incremental = views(store, history, TODAY)
            await rebuild(stream.js, store)
            assert views(store, history, TODAY) == incremental

    asyncio.run(scenario())


def test_the_view_as_of_a_moment_equals_the_live_view_captured_then(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    history = random_history(random.Random(99), 600)
    moment = history[400].occurred_at
    before = [event for event in history if event.occurred_at <= moment]
    today = local_date(moment)

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            live = SqliteStore(tmp_path / "live.db")
            await stream.publish(before)
            await catch_up(stream.js, live, projectors())
            captured = views(live, history, today)
            await stream.publish(history[len(before):])
            await catch_up(stream.js, live, projectors())
            after = views(live, history, today)

            as_of = await build_as_of(stream.js, moment)

            assert views(as_of, history, today) == captured
            assert views(live, history, today) == after != captured

    asyncio.run(scenario())


def test_a_running_projector_carries_on_from_the_rebuilt_position_after_the_swap(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    history = random_history(random.Random(3), 650)
    follower_store, rebuilder = SqliteStore(tmp_path / "r.db"), SqliteStore(tmp_path / "r.db")

    async def scenario() -> None:
        reached: dict[int, asyncio.Event] = {n: asyncio.Event() for n in (500, 600, 650)}

        def note(progress: Progress) -> None:
            for position, event in reached.items():
                if positions(follower_store, projectors()) == dict.fromkeys(
                        PROJECTORS, position):
                    event.set()

        async with events_stream(nats_server.url) as stream:
            await stream.publish(history[:500])
            task = asyncio.create_task(run(stream.js, follower_store, projectors(),
                                           on_progress=note))
            await asyncio.wait_for(reached[500].wait(), 10)
            generation = rebuilder.new_generation()
            await catch_up(stream.js, rebuilder, projectors(), generation=generation)
            await stream.publish(history[500:600])
            await asyncio.wait_for(reached[600].wait(), 10)
            rebuilder.make_live(generation)  # rebuilt up to 500, while the runner is at 600
            await stream.publish(history[600:])
            await asyncio.wait_for(reached[650].wait(), 10)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            fresh = SqliteStore(tmp_path / "fresh.db")
            await catch_up(stream.js, fresh, projectors())
            assert views(follower_store, history, TODAY) == views(fresh, history, TODAY)
            assert read_ledger(rebuilder, TODAY) == read_ledger(fresh, TODAY)

    asyncio.run(scenario())


def test_read_models_built_by_an_older_projector_are_rebuilt_before_they_are_followed(
    nats_server: EmbeddedNats, open_store: StoreFactory
) -> None:
    history = random_history(random.Random(11), 300)
    store = open_store()

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            await stream.publish(history)
            await catch_up(stream.js, store, projectors())
            current = views(store, history, TODAY)
            old = store.live_generation()
            with store.write() as tx:  # as a store left by a version 1 ledger would be
                tx.execute("DELETE FROM rectify_versions WHERE projector = 'ledger'")
                tx.execute(f"DELETE FROM {tx.table('ledger_rows')}")
            assert [m.name for m in stale_models(store, projectors())] == ["ledger"]

            caught_up = asyncio.Event()

            def on_progress(progress: Progress) -> None:
                if store.live_generation() != old and progress.position == len(history):
                    caught_up.set()

            following = asyncio.create_task(run_projections(
                stream.js, store, stream.key, passing=nothing_passes, on_progress=on_progress))
            try:
                await asyncio.wait_for(caught_up.wait(), timeout=30)
            finally:
                following.cancel()
            assert stale_models(store, projectors()) == []
            assert views(store, history, TODAY) == current

    asyncio.run(scenario())
