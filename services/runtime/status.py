"""What ``rectify status`` reports: what runs where, how far each stream and the store are."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pydantic import BaseModel

from events.subjects import EVENTS_STREAM, INTAKE_STREAM, REJECTED_STREAM

if TYPE_CHECKING:
    from services.runtime.process import Runtime


class StreamState(BaseModel):
    messages: int
    last_seq: int


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


async def gather_status(runtime: Runtime) -> Status:
    streams = {}
    for name in (INTAKE_STREAM, EVENTS_STREAM, REJECTED_STREAM):
        state = (await runtime.js.stream_info(name)).state
        streams[name] = StreamState(messages=state.messages, last_seq=state.last_seq)
    position = await runtime.store.run(runtime.casework.position)
    published = streams[EVENTS_STREAM].last_seq
    return Status(
        pid=os.getpid(),
        nats_url=runtime.nats_url,
        data_dir=str(runtime.settings.data_dir.resolve()),
        store=runtime.settings.store_label(),
        endpoints=runtime.endpoints,
        streams=streams,
        store_position=position,
        relay_position=published,
        relay_lag=position - published,
    )
