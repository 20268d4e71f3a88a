"""Putting events on a real EVENTS stream as the relay does: seq N is position N, no gaps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.js import JetStreamContext
from nats.js.api import PubAck, StreamConfig

from events.identity import event_id_for, unit_id_for
from events.recorded import RecordedEvent, problem_of
from events.seal import SealKey
from events.subjects import (
    EVENTS_STREAM,
    EVENTS_SUBJECTS,
    HEADER_EVENT_TYPE,
    HEADER_EVENT_VERSION,
    HEADER_EXPECTED_LAST_SEQUENCE,
    HEADER_MSG_ID,
    HEADER_POSITION,
    HEADER_PROBLEM_ID,
    HEADER_PROBLEM_VERSION,
    HEADER_SEAL,
    HEADER_UNIT_ID,
    HEADER_UNIT_VERSION,
    event_subject,
)
from projections.engine.catalog import projectors
from projections.engine.projector import Recorded, apply_batch
from projections.engine.runner import catch_up
from projections.engine.store import SqliteStore
from services.runtime.streams import ensure_streams

TEST_SEAL_KEY = SealKey(b"tests-seal-key-of-thirty-two-b!!")


@dataclass
class EventsStream:
    """The EVENTS stream, written to by the test as the relay would (sealed with ``key``)."""

    js: JetStreamContext
    last: int = 0
    versions: dict[str, int] = field(default_factory=dict)
    key: SealKey = TEST_SEAL_KEY

    async def publish(self, events: Iterable[RecordedEvent], chunk: int = 500) -> int:
        """Publish in order, pipelined, with the relay's headers (each message expecting its
        predecessor); the last sequence."""
        pending: list[asyncio.Future[PubAck]] = []
        for event in events:
            self.last += 1
            body = event.model_dump_json().encode()
            pending.append(await self.js.publish_async(
                event_subject(event.unit, event.type), body, headers=self._headers(event, body)))
            if len(pending) >= chunk:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        return self.last

    def _headers(self, event: RecordedEvent, body: bytes) -> dict[str, str]:
        if (problem := problem_of(event)) is not None:
            aggregate, id_header, version_header = \
                problem, HEADER_PROBLEM_ID, HEADER_PROBLEM_VERSION
        else:
            aggregate, id_header, version_header = \
                unit_id_for(event.unit), HEADER_UNIT_ID, HEADER_UNIT_VERSION
        version = self.versions[str(aggregate)] = self.versions.get(str(aggregate), 0) + 1
        msg_id = str(event_id_for(aggregate, version))
        return {
            HEADER_MSG_ID: msg_id,
            HEADER_EXPECTED_LAST_SEQUENCE: str(self.last - 1),
            HEADER_EVENT_TYPE: event.type,
            HEADER_EVENT_VERSION: str(event.version),
            id_header: str(aggregate),
            version_header: str(version),
            HEADER_POSITION: str(self.last),
            HEADER_SEAL: self.key.seal(self.last, msg_id, body),
        }

    async def unguarded(self) -> None:
        """An empty EVENTS that allows deleting messages, as a restored old backup could be."""
        await self.js.delete_stream(EVENTS_STREAM)
        await self.js.add_stream(StreamConfig(name=EVENTS_STREAM, subjects=[EVENTS_SUBJECTS]))
        self.last, self.versions = 0, {}

    async def recreate(self) -> None:
        """An empty EVENTS stream, as after losing the stream's files."""
        await self.js.delete_stream(EVENTS_STREAM)
        await ensure_streams(self.js)
        self.last, self.versions = 0, {}


@asynccontextmanager
async def events_stream(url: str) -> AsyncIterator[EventsStream]:
    connection = await nats.connect(url)
    try:
        js = connection.jetstream()
        await ensure_streams(js)
        yield EventsStream(js)
    finally:
        await connection.close()


def applied(events: Sequence[RecordedEvent], path: Path, batch_size: int = 1000) -> SqliteStore:
    """A read-model store with every projection applied to ``events`` directly, in batches,
    event N at position N: what the runner does with them, without a stream to read."""
    store = SqliteStore(path)
    recorded = [Recorded(n, event, event.model_dump_json().encode())
                for n, event in enumerate(events, start=1)]
    for start in range(0, len(recorded), batch_size):
        apply_batch(store, projectors(), recorded[start:start + batch_size])
    return store


def projected(events: Sequence[RecordedEvent], url: str, path: Path) -> SqliteStore:
    """A read-model store with every projection caught up on ``events``, published to EVENTS."""

    async def publish_and_catch_up() -> SqliteStore:
        async with events_stream(url) as stream:
            await stream.publish(events)
            store = SqliteStore(path)
            await catch_up(stream.js, store, projectors())
            return store

    return asyncio.run(publish_and_catch_up())
