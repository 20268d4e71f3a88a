"""A rebuild into a store another process can open is applied by a writer process: the same
views as a rebuild in one process, and a failure there (an undecodable event, the writer killed)
ends the rebuild with its cause while the live views stay as they were."""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import random
import sqlite3
import uuid
from datetime import date
from pathlib import Path

import pytest

from events.recorded import RecordedEvent
from events.subjects import (
    HEADER_EXPECTED_LAST_SEQUENCE,
    HEADER_MSG_ID,
    HEADER_POSITION,
    HEADER_SEAL,
    event_subject,
)
from projections.engine.catalog import projectors
from projections.engine.errors import UndecodableEventError
from projections.engine.rebuild import rebuild
from projections.engine.runner import Progress, catch_up
from projections.engine.store import ReadStore, SqliteStore, StoreOpener
from projections.engine.writer import WriterFailedError
from services.runtime.nats_server import EmbeddedNats
from tests.projections.conftest import StoreFactory
from tests.projections.stories import random_history
from tests.projections.streams import EventsStream, events_stream
from tests.projections.views import Views, views

pytestmark = pytest.mark.integration
TODAY = date(2023, 3, 20)
WRITER = "rectify-rebuild-writer"


def writers() -> list[str]:
    return [p.name for p in multiprocessing.active_children() if p.name.startswith(WRITER)]


def generations(store: SqliteStore) -> list[int]:
    with store.read() as tx:
        return [int(g) for (g,) in tx.query("SELECT generation FROM rectify_generations")]


async def publish_undecodable(stream: EventsStream) -> int:
    """A message the relay sealed whose body is no event of the contract (as a newer writer
    side could publish)."""
    stream.last += 1
    body = b'{"type":"NoSuchEvent","version":1}'
    msg_id = str(uuid.uuid4())
    acknowledged = await stream.js.publish(event_subject("第一分局", "NoSuchEvent"), body, headers={
        HEADER_MSG_ID: msg_id, HEADER_EXPECTED_LAST_SEQUENCE: str(stream.last - 1),
        HEADER_POSITION: str(stream.last),
        HEADER_SEAL: stream.key.seal(stream.last, msg_id, body)})
    assert acknowledged.seq == stream.last
    assert not acknowledged.duplicate
    return stream.last


async def projected_live(stream: EventsStream, store: ReadStore,
                         history: list[RecordedEvent]) -> tuple[int, Views]:
    """``history`` on EVENTS and projected into ``store``: its live generation and views."""
    await stream.publish(history)
    await catch_up(stream.js, store, projectors())
    return store.live_generation(), views(store, history, TODAY)


def test_a_rebuild_into_a_file_runs_in_a_writer_process_and_equals_one_in_memory(
    nats_server: EmbeddedNats, open_store: StoreFactory
) -> None:
    history = random_history(random.Random(41), 1200)
    store, in_memory = open_store(), SqliteStore(":memory:")
    seen: list[str] = []

    def note_writers(_: Progress) -> None:
        seen.extend(writers())

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            await stream.publish(history)
            assert await rebuild(stream.js, in_memory, batch_size=200, on_progress=note_writers
                                 ) == 1200
            assert not seen, "an in-memory store is rebuilt here"
            assert await rebuild(stream.js, store, batch_size=1200,
                                 on_progress=note_writers) == 1200
            assert not seen, "one batch is rebuilt here: a writer would only add its start"
            assert await rebuild(stream.js, store, batch_size=200,
                                 on_progress=note_writers) == 1200

    asyncio.run(scenario())
    assert seen
    assert all(name.startswith(f"{WRITER}-g") for name in seen)
    assert writers() == [], "the writer ends with the rebuild"
    assert views(store, history, TODAY) == views(in_memory, history, TODAY)


def test_an_undecodable_event_ends_the_rebuild_with_its_sequence_and_the_live_views_stay(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    history = random_history(random.Random(42), 400)
    store = SqliteStore(tmp_path / "read-models.sqlite3")

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            live, before = await projected_live(stream, store, history)
            broken = await publish_undecodable(stream)
            with pytest.raises(UndecodableEventError) as raised:
                await rebuild(stream.js, store, batch_size=150)
            assert raised.value.sequence == broken
            assert store.live_generation() == live
            assert generations(store) == [live], "the abandoned generation is dropped"
            assert views(store, history, TODAY) == before

    asyncio.run(scenario())
    assert writers() == []


def test_a_writer_killed_mid_rebuild_ends_it_with_a_clear_error_and_the_live_views_stay(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    history = random_history(random.Random(43), 1000)
    store: ReadStore = SqliteStore(tmp_path / "read-models.sqlite3")

    def kill_the_writer(progress: Progress) -> None:
        if progress.position > 0:
            for process in multiprocessing.active_children():
                if process.name.startswith(WRITER):
                    process.kill()

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            live, before = await projected_live(stream, store, history)
            with pytest.raises(WriterFailedError, match="重建写入进程意外退出"):
                await rebuild(stream.js, store, batch_size=100, on_progress=kill_the_writer)
            assert store.live_generation() == live
            assert views(store, history, TODAY) == before

    asyncio.run(scenario())
    assert isinstance(store, SqliteStore)
    assert len(generations(store)) == 1
    assert writers() == []


class _ElsewhereUnopenable(SqliteStore):
    """A store the writer process cannot open (its file's folder is gone there)."""

    def opener(self, *, checkpoints: bool = True) -> StoreOpener:
        return functools.partial(SqliteStore, "/nonexistent-folder/read-models.sqlite3",
                                 checkpoints=checkpoints)


def test_a_writer_that_cannot_open_the_store_ends_the_rebuild_with_the_reason(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    history = random_history(random.Random(44), 300)
    store = _ElsewhereUnopenable(tmp_path / "read-models.sqlite3")

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            await stream.publish(history)
            with pytest.raises(sqlite3.OperationalError, match="unable to open database file"):
                await rebuild(stream.js, store, batch_size=100)

    asyncio.run(scenario())
    assert generations(store) == [store.live_generation()]
    assert writers() == []
