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

from events.base import ProblemEventBase
from events.recorded import RecordedEvent
from events.seal import SealKey
from events.subjects import (
    EVENTS_STREAM,
    EVENTS_SUBJECTS,
    HEADER_EXPECTED_LAST_SEQUENCE,
    HEADER_MSG_ID,
    HEADER_POSITION,
    HEADER_PROBLEM_VERSION,
    HEADER_SEAL,
    event_subject,
)
from projections.catalog import projectors
from projections.runner import catch_up
from projections.store import SqliteStore
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
        """Publish in order, pipelined, each one expecting its predecessor; the last sequence."""
        pending: list[asyncio.Future[PubAck]] = []
        for event in events:
            key = str(event.problem_id) if isinstance(event, ProblemEventBase) else event.unit
            self.versions[key] = self.versions.get(key, 0) + 1
            self.last += 1
            body = event.model_dump_json().encode()
            msg_id = f"{key}:{self.versions[key]}:{self.last}"
            headers = {
                HEADER_MSG_ID: msg_id,
                HEADER_EXPECTED_LAST_SEQUENCE: str(self.last - 1),
                HEADER_POSITION: str(self.last),
                HEADER_PROBLEM_VERSION: str(self.versions[key]),
                HEADER_SEAL: self.key.seal(self.last, msg_id, body),
            }
            pending.append(await self.js.publish_async(
                event_subject(event.unit, event.type), body, headers=headers))
            if len(pending) >= chunk:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        return self.last

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


def projected(events: Sequence[RecordedEvent], url: str, path: Path) -> SqliteStore:
    """A read-model store with every projection caught up on ``events``, published to EVENTS."""

    async def publish_and_catch_up() -> SqliteStore:
        async with events_stream(url) as stream:
            await stream.publish(events)
            store = SqliteStore(path)
            await catch_up(stream.js, store, projectors())
            return store

    return asyncio.run(publish_and_catch_up())
