"""The JetStream streams rectify needs, created idempotently at start."""

from __future__ import annotations

import nats
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from events.subjects import (
    EVENTS_STREAM,
    EVENTS_SUBJECTS,
    INTAKE_STREAM,
    INTAKE_SUBJECTS,
    REJECTED_STREAM,
    REJECTED_SUBJECTS,
)

DUPLICATE_WINDOW_SECONDS = 120.0


def stream_configs(replicas: int = 1) -> list[StreamConfig]:
    def kept(name: str, subject: str, max_msg_size: int) -> StreamConfig:
        return StreamConfig(
            name=name,
            subjects=[subject],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.NEW,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
            max_msg_size=max_msg_size,
            # The record is append-only: no message deleted, no stream purged through the API.
            deny_delete=True,
            deny_purge=True,
        )

    return [
        kept(INTAKE_STREAM, INTAKE_SUBJECTS, 4 * 1024 * 1024),
        kept(EVENTS_STREAM, EVENTS_SUBJECTS, 1024 * 1024),
        # Rejected messages keep their original bytes, however large they were.
        kept(REJECTED_STREAM, REJECTED_SUBJECTS, 8 * 1024 * 1024),
    ]


async def ensure_streams_as(url: str) -> None:
    """Create or update the streams through a connection of its own (as ``admin``: the only
    user allowed the stream-management API)."""
    client = await nats.connect(url, name="rectify-admin")
    try:
        await ensure_streams(client.jetstream())
    finally:
        await client.close()


async def ensure_streams(js: JetStreamContext, replicas: int = 1) -> None:
    """Create each stream if missing, else bring its configuration up to date."""
    for config in stream_configs(replicas):
        try:
            await js.stream_info(str(config.name))
        except NotFoundError:
            await js.add_stream(config)
        else:
            await js.update_stream(config)
