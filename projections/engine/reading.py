"""Reading recorded events (已记录事件) from EVENTS, in order, checked for gaps.

An ephemeral pull consumer starts at the sequence after the projector's position, delivers
without acknowledgements (the position lives in the read-model store, not in NATS), and is
deleted when the reader closes (or by the server after a minute of inactivity). A batch is
decoded with one pydantic call over a JSON array of bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import TypeAdapter, ValidationError

from events.recorded import RecordedEvent, parse_recorded
from events.seal import SealKey
from events.subjects import (
    EVENTS_STREAM,
    EVENTS_SUBJECTS,
    HEADER_MSG_ID,
    HEADER_POSITION,
    HEADER_SEAL,
)
from projections.engine.errors import (
    PositionMismatchError,
    StreamBehindError,
    StreamGapError,
    StreamPurgedError,
    UndecodableEventError,
    UnsealedEventError,
)
from projections.engine.projector import Recorded

log = logging.getLogger(__name__)
_BATCH: TypeAdapter[list[RecordedEvent]] = TypeAdapter(list[RecordedEvent])
INACTIVE_THRESHOLD_SECONDS = 60.0
PULL_MARGIN_SECONDS = 1.0
"""How long past its expiry a pull is waited for before it counts as lost."""
STATUS_HEADER, DESCRIPTION_HEADER = "Status", "Description"
HEARTBEAT_STATUS = "100"
PULL_ENDED_STATUSES = frozenset({"404", "408"})


async def stream_last_sequence(js: JetStreamContext) -> int:
    info = await js.stream_info(EVENTS_STREAM)
    return int(info.state.last_seq)


async def check_stream(js: JetStreamContext, position: int) -> int:
    """The stream's last sequence, once it is known to still hold what follows ``position``."""
    state = (await js.stream_info(EVENTS_STREAM)).state
    last, first = int(state.last_seq), int(state.first_seq)
    check_not_behind(position, last)
    if last > position and first > position + 1:
        raise StreamPurgedError(expected=position + 1, first=first)
    return last


def check_not_behind(position: int, stream_last: int) -> None:
    if stream_last < position:
        raise StreamBehindError(position=position, stream_last=stream_last)


def decode(messages: Sequence[Msg], after: int, key: SealKey | None = None) -> list[Recorded]:
    """The messages as recorded events, which must follow position ``after`` without a gap and,
    given the relay's ``key``, carry its seal."""
    return recorded(checked(messages, after, key), [m.data for m in messages])


def checked(messages: Sequence[Msg], after: int, key: SealKey | None = None) -> list[int]:
    """The messages' positions, once they are known to follow ``after`` without a gap and,
    given the relay's ``key``, to carry its seal."""
    sequences = [_checked_sequence(m, after + i + 1) for i, m in enumerate(messages)]
    if key is not None:
        for sequence, message in zip(sequences, messages, strict=True):
            check_seal(key, sequence, message)
    return sequences


def recorded(sequences: Sequence[int], bodies: Sequence[bytes]) -> list[Recorded]:
    """The bodies at ``sequences`` decoded as recorded events, with one pydantic call."""
    try:
        events = _BATCH.validate_json(b"[" + b",".join(bodies) + b"]")
    except ValidationError:
        events = [_decode_one(seq, body) for seq, body in zip(sequences, bodies, strict=True)]
    return [
        Recorded(seq, event, body)
        for seq, event, body in zip(sequences, events, bodies, strict=True)
    ]


def stream_sequence(message: Msg) -> int:
    """The message's sequence in its stream, read from its JetStream reply subject
    (``$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>…``, with domain and account after
    ``ACK`` in the newer form). nats-py's ``metadata`` gives the same but builds a timestamp and
    five other fields with it, which cost a sixth of decoding a batch."""
    tokens = (message.reply or "").split(".")
    if tokens[:2] == ["$JS", "ACK"] and len(tokens) in _SEQUENCE_TOKEN:
        return int(tokens[_SEQUENCE_TOKEN[len(tokens)]])
    return int(message.metadata.sequence.stream)  # any other form: nats-py's reading, or error


_SEQUENCE_TOKEN = {9: 5, 11: 7, 12: 7}
"""Where the stream sequence is in a reply subject of so many tokens (nats-py's two forms)."""


def _checked_sequence(message: Msg, expected: int) -> int:
    sequence = stream_sequence(message)
    if sequence != expected:
        raise StreamGapError(expected=expected, found=sequence)
    header = (message.headers or {}).get(HEADER_POSITION)
    if header is not None and int(header) != sequence:
        raise PositionMismatchError(sequence=sequence, header=int(header))
    return sequence


def check_seal(key: SealKey, sequence: int, message: Msg) -> None:
    """Raise ``UnsealedEventError`` unless ``message`` carries the relay's seal for ``sequence``."""
    headers = message.headers or {}
    if not key.holds(sequence, headers.get(HEADER_MSG_ID, ""), message.data,
                     headers.get(HEADER_SEAL, "")):
        raise UnsealedEventError(sequence=sequence)


def _decode_one(sequence: int, body: bytes) -> RecordedEvent:
    try:
        return parse_recorded(body)
    except ValidationError as error:
        raise UndecodableEventError(sequence, str(error)) from error


@dataclass
class _Pull:
    """One pull request in flight: how many messages it asked for, how many came."""

    asked: int
    deadline: float
    received: int = 0


class EventReader:
    """Delivers EVENTS from ``start`` on, in batches, through an ephemeral pull consumer.

    The pulls are answered on the reader's own inbox and collected as they come, so ``fetch``
    returns as soon as anything arrived (a live follower is not held back to fill a batch), and
    once a pull is answered in full the next is sent at once: the server sends the next batch
    while the caller applies this one. ``fetch`` never returns more than asked; what came
    beyond it waits for the next call, and at most about two batches are held.
    """

    def __init__(self, js: JetStreamContext, start: int) -> None:
        self.js, self.start = js, start
        self.name = f"projections-{uuid.uuid4().hex}"
        self._subscription: Subscription | None = None
        self._next_subject = ""
        self._buffer: deque[Msg] = deque()
        self._pull: _Pull | None = None
        self._lost = False
        self._last: Msg | None = None
        self._arrived = asyncio.Event()
        self._batch, self._wait = 1, 1.0

    async def open(self) -> None:
        await self._add_consumer()
        # nats-py pulls only through a fetch that waits to fill its whole batch and hands each
        # message over through a timed wait; the reader sends the same pull requests itself.
        client = self.js._nc
        self._subscription = await client.subscribe(client.new_inbox(), cb=self._received)

    async def _add_consumer(self) -> None:
        config = ConsumerConfig(
            name=self.name,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=self.start,
            ack_policy=AckPolicy.NONE,
            filter_subject=EVENTS_SUBJECTS,
            inactive_threshold=INACTIVE_THRESHOLD_SECONDS,
            mem_storage=True,
        )
        await self.js.add_consumer(EVENTS_STREAM, config)
        self._next_subject = f"{self.js._prefix}.CONSUMER.MSG.NEXT.{EVENTS_STREAM}.{self.name}"

    async def _replace_consumer(self) -> None:
        """The server lost the consumer (it restarted, say): go on after the last message."""
        if self._last is not None:
            self.start = stream_sequence(self._last) + 1
        with contextlib.suppress(Exception):  # gone already, most likely
            await self.js.delete_consumer(EVENTS_STREAM, self.name)
        self.name = f"projections-{uuid.uuid4().hex}"
        await self._add_consumer()

    async def fetch(self, batch: int, wait: float) -> list[Msg]:
        """Up to ``batch`` messages; raises ``TimeoutError`` (nats-py's own or the plain one) if
        none came in time."""
        if self._subscription is None:
            await self.open()
        self._batch, self._wait = batch, wait
        if not self._buffer:
            if self._lost:
                self._lost = False
                await self._replace_consumer()
            self._arrived.clear()
            if self._pull is None or time.monotonic() > self._pull.deadline:
                await self._ask()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), wait + PULL_MARGIN_SECONDS)
        if not self._buffer:
            raise NatsTimeoutError
        taken = [self._buffer.popleft() for _ in range(min(batch, len(self._buffer)))]
        if self._pull is None and len(self._buffer) < batch:
            await self._ask()  # read ahead while the caller applies these
        return taken

    async def _ask(self) -> None:
        assert self._subscription is not None
        self._pull = _Pull(self._batch, time.monotonic() + self._wait + PULL_MARGIN_SECONDS)
        request = {"batch": self._batch, "expires": int(self._wait * 1_000_000_000)}
        await self.js._nc.publish(self._next_subject, json.dumps(request).encode(),
                                  reply=self._subscription.subject)

    async def _received(self, message: Msg) -> None:
        status = (message.headers or {}).get(STATUS_HEADER) if not message.data else None
        if status is None:
            self._last = message
            self._buffer.append(message)
            self._arrived.set()
            pull = self._pull
            if pull is not None:
                pull.received += 1
                if pull.received >= pull.asked:
                    self._pull = None
                    if len(self._buffer) <= self._batch:
                        await self._ask()  # read ahead: there is likely more
        elif status in PULL_ENDED_STATUSES:  # 404 (nothing now), 408 (expired)
            self._pull = None
            self._arrived.set()
        elif status != HEARTBEAT_STATUS:
            # 409 (server shutdown, consumer deleted …), 503 (no such consumer): as nats-py's
            # fetch does, the wait runs out as if nothing came; the next fetch makes the
            # consumer again, after the last message received.
            log.info("EVENTS pull ended with %s %s", status,
                     (message.headers or {}).get(DESCRIPTION_HEADER, ""))
            self._pull, self._lost = None, True

    async def close(self) -> None:
        if self._subscription is None:
            return
        subscription, self._subscription = self._subscription, None
        self._buffer.clear()
        try:
            await subscription.unsubscribe()
            await self.js.delete_consumer(EVENTS_STREAM, self.name)
        except Exception:  # the server forgets it after INACTIVE_THRESHOLD anyway
            return
