"""Reading recorded events (已记录事件) from EVENTS, in order, checked for gaps.

An ephemeral pull consumer starts at the sequence after the projector's position, delivers
without acknowledgements (the position lives in the read-model store, not in NATS), and is
deleted when the reader closes (or by the server after a minute of inactivity). A batch is
decoded with one pydantic call over a JSON array of bodies.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from nats.aio.msg import Msg
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
from projections.errors import (
    PositionMismatchError,
    StreamBehindError,
    StreamGapError,
    StreamPurgedError,
    UndecodableEventError,
    UnsealedEventError,
)
from projections.projector import Recorded

_BATCH: TypeAdapter[list[RecordedEvent]] = TypeAdapter(list[RecordedEvent])
INACTIVE_THRESHOLD_SECONDS = 60.0


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
    sequences = [_checked_sequence(m, after + i + 1) for i, m in enumerate(messages)]
    if key is not None:
        for sequence, message in zip(sequences, messages, strict=True):
            check_seal(key, sequence, message)
    bodies = [m.data for m in messages]
    try:
        events = _BATCH.validate_json(b"[" + b",".join(bodies) + b"]")
    except ValidationError:
        events = [_decode_one(seq, body) for seq, body in zip(sequences, bodies, strict=True)]
    return [
        Recorded(seq, event, body)
        for seq, event, body in zip(sequences, events, bodies, strict=True)
    ]


def _checked_sequence(message: Msg, expected: int) -> int:
    sequence = int(message.metadata.sequence.stream)
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


class EventReader:
    """Delivers EVENTS from ``start`` on, in batches, through an ephemeral pull consumer."""

    def __init__(self, js: JetStreamContext, start: int) -> None:
        self.js, self.start = js, start
        self.name = f"projections-{uuid.uuid4().hex}"
        self._subscription: JetStreamContext.PullSubscription | None = None

    async def open(self) -> None:
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
        self._subscription = await self.js.pull_subscribe_bind(
            stream=EVENTS_STREAM, name=self.name
        )

    async def fetch(self, batch: int, wait: float) -> list[Msg]:
        """Up to ``batch`` messages; raises ``TimeoutError`` (nats-py's own or the plain one) if
        none came in time."""
        if self._subscription is None:
            await self.open()
        assert self._subscription is not None
        messages: list[Msg] = await self._subscription.fetch(batch, timeout=wait)
        return messages

    async def close(self) -> None:
        if self._subscription is None:
            return
        subscription, self._subscription = self._subscription, None
        try:
            await subscription.unsubscribe()
            await self.js.delete_consumer(EVENTS_STREAM, self.name)
        except Exception:  # the server forgets it after INACTIVE_THRESHOLD anyway
            return
