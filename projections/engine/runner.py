"""The projection runner (投影运行器): follows EVENTS and keeps read models up to date.

``run`` follows the stream until cancelled (the task inside ``rectify up``); ``catch_up`` applies
what the stream held when it was called and returns. Both resume from the stored positions,
apply at most ``batch_size`` events per transaction, and halt with a ``StreamDivergedError``
when the stream goes behind a projector, skips a sequence, or holds a message without the
relay's seal. A fetch that times out is an idle poll (nats-py raises its own ``TimeoutError``
or the plain one: both are the builtin). Which other failures pass is the caller's to say
(``passing``): ``rectify up`` gives its one definition; a one-shot catch-up gives none.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from events.seal import SealKey
from projections.engine.bulk import bulk_work
from projections.engine.errors import StreamBehindError
from projections.engine.projector import (
    Projector,
    Recorded,
    RewindNeededError,
    apply_batch,
    positions,
)
from projections.engine.reading import (
    EventReader,
    check_stream,
    checked,
    decode,
    stream_last_sequence,
)
from projections.engine.store import ReadStore
from projections.engine.writer import WriterProcess

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
FETCH_TIMEOUT_SECONDS = 2.0
RETRY_SECONDS = 1.0


@dataclass(frozen=True)
class Progress:
    """How far a run has come: the position applied, the stream's last known sequence."""

    position: int
    target: int
    applied: int
    elapsed: float


OnProgress = Callable[[Progress], None]
StopBefore = Callable[[Recorded], bool]
Passing = Callable[[BaseException], bool]


def nothing_passes(error: BaseException) -> bool:
    return False


@dataclass
class Follower:
    """Reads EVENTS after the projectors' positions and applies it to them, batch by batch."""

    js: JetStreamContext
    store: ReadStore
    projectors: Sequence[Projector]
    generation: int | None = None
    batch_size: int = BATCH_SIZE
    on_progress: OnProgress | None = None
    stop_before: StopBefore | None = None
    position: int = 0
    highest: int = 0
    known_last: int = 0
    applied: int = 0
    stopped: bool = False
    key: SealKey | None = None
    passing: Passing = nothing_passes
    writer: WriterProcess | None = None
    """Where checked batches are decoded and applied instead of here (a rebuild's)."""
    sent: int = 0
    """The last position read and checked: ahead of ``position`` while the writer applies."""

    async def follow(self, target: int | None) -> int:
        """Apply up to ``target`` (forever if None); the position reached."""
        started = time.monotonic()
        stored = await asyncio.to_thread(positions, self.store, self.projectors, self.generation)
        self.position = self.sent = min(stored.values(), default=0)
        self.highest = max(stored.values(), default=0)
        self.known_last = await check_stream(self.js, self.highest)
        reader = EventReader(self.js, self.position + 1)
        try:
            while not self.stopped and (target is None or self.sent < target):
                wanted = self.batch_size if target is None else min(
                    self.batch_size, target - self.sent)
                reader = await self._step(reader, wanted, target)
                self._report(started)
        finally:
            await reader.close()
        if self.writer is not None:
            self._reached(await self.writer.finish())
            self._report(started)
        return self.position

    def _report(self, started: float) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(self.position, self.known_last, self.applied,
                                      time.monotonic() - started))

    def _reached(self, position: int | None) -> None:
        if position is not None:
            self.position, self.applied = position, self.applied + position - self.position
            self.highest = max(self.highest, position)

    async def _step(self, reader: EventReader, wanted: int, target: int | None) -> EventReader:
        try:
            messages = await reader.fetch(wanted, FETCH_TIMEOUT_SECONDS)
            if not messages:
                return reader
        except TimeoutError:
            return await self._idle(reader, target)
        except Exception as error:
            return await self._retry(reader, error)
        self.known_last = max(self.known_last, _last_in_stream(messages[-1]))
        if self.writer is not None:
            first = self.sent + 1
            self.sent = checked(messages, self.sent, self.key)[-1]
            self._reached(await self.writer.write(first, [m.data for m in messages]))
            return reader
        batch = self._cut(decode(messages, self.position, self.key))
        try:
            await asyncio.to_thread(apply_batch, self.store, self.projectors, batch,
                                    self.generation)
        except RewindNeededError as rewind:
            log.info("read models were swapped (rebuild); reading EVENTS again from %d",
                     rewind.stored + 1)
            self.position = self.sent = rewind.stored
            return await self._reopen(reader)
        if batch:
            self._reached(batch[-1].position)
            self.sent = self.position
        return reader

    async def _retry(self, reader: EventReader, error: Exception) -> EventReader:
        """NATS failed us: unless the failure passes, give up; else wait and read again."""
        if not self.passing(error):
            raise error
        log.warning("reading EVENTS failed (%s); reading again from %d in %.0fs", error,
                    self.sent + 1, RETRY_SECONDS)
        await asyncio.sleep(RETRY_SECONDS)
        return await self._reopen(reader)

    def _cut(self, batch: list[Recorded]) -> list[Recorded]:
        if self.stop_before is None:
            return batch
        for index, recorded in enumerate(batch):
            if self.stop_before(recorded):
                self.stopped = True
                return batch[:index]
        return batch

    async def _idle(self, reader: EventReader, target: int | None) -> EventReader:
        """Nothing came: make sure the stream did not shrink under us, then read again."""
        try:
            last = self.known_last = await check_stream(self.js, self.highest)
        except Exception as error:
            return await self._retry(reader, error)
        if target is not None and last < target:
            raise StreamBehindError(position=target, stream_last=last)
        return await self._reopen(reader) if last > self.sent else reader

    async def _reopen(self, reader: EventReader) -> EventReader:
        await reader.close()
        return EventReader(self.js, self.sent + 1)


def _last_in_stream(message: Msg) -> int:
    metadata = message.metadata
    return int(metadata.sequence.stream) + int(metadata.num_pending)


async def catch_up(js: JetStreamContext, store: ReadStore, projectors: Sequence[Projector],
                   *, on_progress: OnProgress | None = None, batch_size: int = BATCH_SIZE,
                   generation: int | None = None, until: int | None = None,
                   stop_before: StopBefore | None = None, key: SealKey | None = None,
                   writer: WriterProcess | None = None) -> int:
    """Apply everything EVENTS held at call time (or up to ``until``); the position reached.

    Given the relay's ``key``, a message without its seal halts the catch-up. Given a
    ``writer``, the events are decoded and applied there (it must serve ``projectors`` and the
    same ``generation``), and ``stop_before`` cannot be given.
    """
    if writer is not None and stop_before is not None:
        raise ValueError("a writer process applies every event it is given: no stop_before")
    last = await stream_last_sequence(js)
    target = last if until is None else min(until, last)
    follower = Follower(js, store, projectors, generation, batch_size, on_progress, stop_before,
                        key=key, writer=writer)
    with bulk_work():
        return await follower.follow(target)


async def run(js: JetStreamContext, store: ReadStore, projectors: Sequence[Projector],
              *, on_progress: OnProgress | None = None, batch_size: int = BATCH_SIZE,
              key: SealKey | None = None, passing: Passing = nothing_passes) -> NoReturn:
    """Keep ``projectors`` up to date with EVENTS until cancelled; ``passing`` failures are
    waited out, anything else ends the run."""
    follower = Follower(js, store, projectors, None, batch_size, on_progress, key=key,
                        passing=passing)
    await follower.follow(None)
    raise AssertionError("following EVENTS without a target never returns")
