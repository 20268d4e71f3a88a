"""Repair from the store (由事件库修复): EVENTS is the store's copy, so it can always be made again.

``survey`` compares every message of EVENTS with what the store says it must be (the same
``outgoing`` the relay publishes, seal included) and lists what is missing, altered or extra.
``restore`` stops the parts that read or write EVENTS, deletes the stream, creates it again
(append-only, as at start), lets the relay publish the whole store into it, rebuilds every read
model from it and starts the stopped parts again. Killed half-way, it is simply run again: the
store still holds everything, and the relay resumes after what the new stream already has.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from events.subjects import EVENTS_STREAM
from projections.engine.rebuild import rebuild
from projections.engine.store import ReadStore
from services.relay.message import Difference, compare
from services.relay.outbox import Relay
from services.runtime.streams import ensure_streams
from services.runtime.supervisor import Supervisor

log = logging.getLogger(__name__)

PAGE = 200
SHOWN = 50
STOPPED_FOR_REPAIR = ("projections", "answers", "relay")
"""The tasks that read or write EVENTS, stopped while it is made again (relay last)."""


@dataclass
class Survey:
    """How EVENTS compares with the store."""

    store_position: int
    stream_last: int
    counts: Counter[str] = field(default_factory=Counter)
    shown: list[Difference] = field(default_factory=list)

    def add(self, difference: Difference) -> None:
        self.counts[difference.kind] += 1
        if len(self.shown) < SHOWN:
            self.shown.append(difference)

    @property
    def clean(self) -> bool:
        return not self.counts


async def survey(relay: Relay, on_progress: Callable[[int, int], None] | None = None) -> Survey:
    """Every position of the store and every sequence of EVENTS, compared one by one."""
    store_position = await relay.store.run(relay.casework.position)
    stream_last = await relay.stream_position()
    found = Survey(store_position, stream_last)
    top = max(store_position, stream_last)
    for first in range(1, top + 1, PAGE):
        last = min(first + PAGE - 1, top)
        page = await relay.store.run(relay.casework.recorder.select_notifications, first, PAGE)
        expected = {n.id: relay.outgoing(n) for n in page if n.id <= last}
        messages = await asyncio.gather(*(_message(relay, seq) for seq in range(first, last + 1)))
        for sequence, (body, headers) in zip(range(first, last + 1), messages, strict=True):
            if sequence > stream_last and sequence in expected:
                continue  # not published yet: the relay's lag, not damage
            if (difference := compare(expected.get(sequence), sequence, body, headers)):
                found.add(difference)
        if on_progress is not None:
            on_progress(last, top)
    return found


async def _message(relay: Relay, sequence: int) -> tuple[bytes | None, dict[str, str] | None]:
    try:
        message = await relay.js.get_msg(EVENTS_STREAM, seq=sequence)
    except NotFoundError:
        return None, None
    return message.data, message.headers


async def restore(relay: Relay, supervisor: Supervisor, read_store: ReadStore,
                  timeout: float = 600.0, admin: JetStreamContext | None = None) -> int:
    """EVENTS made again from the store and every read model rebuilt; the position reached.

    ``admin``: a connection allowed the stream-management API (the relay's own is not)."""
    manager = admin or relay.js
    stopped = [name for name in STOPPED_FOR_REPAIR if name in supervisor.tasks]
    for name in stopped:
        await supervisor.stop(name)
    log.warning("repair: deleting EVENTS and publishing the event store into it again")
    await manager.delete_stream(EVENTS_STREAM)
    await ensure_streams(manager)
    if "relay" in stopped:
        await supervisor.resume("relay")
        target = await relay.store.run(relay.casework.position)
        deadline = time.monotonic() + timeout
        while relay.published < target:
            if time.monotonic() > deadline or supervisor.halted("relay"):
                raise TimeoutError(f"the relay reached {relay.published} of {target}")
            relay.wake()
            await asyncio.sleep(0.05)
    reached = await rebuild(manager, read_store, key=relay.key)
    for name in reversed(stopped):
        if name != "relay":
            await supervisor.resume(name)
    return reached
