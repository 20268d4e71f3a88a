"""What ``rectify status`` reports: what runs where, how far each stream and the store are."""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlparse

from pydantic import BaseModel

from events.subjects import EVENTS_STREAM, INTAKE_STREAM, REJECTED_STREAM
from projections.engine.store import live_positions
from services.runtime.context import Runtime
from services.runtime.faults import AlarmText


class StreamState(BaseModel):
    messages: int
    last_seq: int


class ProjectionState(BaseModel):
    position: int
    lag: int


class Status(BaseModel):
    pid: int
    nats_url: str
    data_dir: str
    store: str
    endpoints: dict[str, str]
    streams: dict[str, StreamState]
    store_position: int
    relay_position: int
    relay_lag: int
    read_store: str
    projections: dict[str, ProjectionState]
    alarms: dict[str, AlarmText]
    """Why a part halted (or keeps failing), by part name: what happened and what to do."""
    restarts: dict[str, int]
    """How often each long-running task was started again after a failure."""


async def gather_status(runtime: Runtime) -> Status:
    streams = {}
    for name in (INTAKE_STREAM, EVENTS_STREAM, REJECTED_STREAM):
        state = (await runtime.js.stream_info(name)).state
        streams[name] = StreamState(messages=state.messages, last_seq=state.last_seq)
    position = await runtime.store.run(runtime.casework.position)
    published = streams[EVENTS_STREAM].last_seq
    projected = await asyncio.to_thread(live_positions, runtime.read_store)
    return Status(
        pid=os.getpid(),
        nats_url=runtime.public_url or _without_password(runtime.nats_url),
        data_dir=str(runtime.settings.data_dir.resolve()),
        store=runtime.settings.store_label(),
        endpoints=runtime.endpoints,
        streams=streams,
        store_position=position,
        relay_position=published,
        relay_lag=position - published,
        read_store=_without_password(runtime.settings.read_store_location()),
        projections={name: ProjectionState(position=at, lag=published - at)
                     for name, at in projected.items()},
        alarms=runtime.supervisor.alarms,
        restarts=runtime.supervisor.restarts,
    )


def _without_password(location: str) -> str:
    url = urlparse(location)
    if url.password is None:
        return location
    return url._replace(netloc=url.netloc.replace(f":{url.password}@", ":***@")).geturl()
