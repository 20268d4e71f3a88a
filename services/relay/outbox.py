"""Transactional outbox: the event store's notification log, published to EVENTS in order.

Notification N is published with ``Nats-Expected-Last-Sequence: N-1`` and ``Nats-Msg-Id`` = the
event id, so JetStream itself guarantees stream sequence N == notification N: no gap, no
reorder, no duplicate. The stream's last sequence is the relay's only bookkeeping, so killing
the process at any instant loses nothing: on start it resumes after that sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import Notification
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import PubAck
from nats.js.errors import APIError

from events.identity import event_id_for
from events.subjects import (
    EVENTS_STREAM,
    HEADER_EVENT_TYPE,
    HEADER_EVENT_VERSION,
    HEADER_EXPECTED_LAST_SEQUENCE,
    HEADER_MSG_ID,
    HEADER_POSITION,
    HEADER_PROBLEM_ID,
    HEADER_PROBLEM_VERSION,
    HEADER_UNIT_ID,
    HEADER_UNIT_VERSION,
    event_subject,
)
from services.casework.application import Casework
from services.casework.mapper import FactMapper
from services.casework.store_thread import StoreThread

log = logging.getLogger(__name__)

PAGE = 1000
IDLE_POLL_SECONDS = 0.5


class StreamAheadOfStoreError(RuntimeError):
    """EVENTS holds more than the event store: the two have diverged and a person must look."""


class PositionGapError(RuntimeError):
    """The store skipped a position (a rolled-back PostgreSQL insert): seq == position breaks."""


class Relay:
    """Follows the notification log and publishes each event to ``events.<unit>.<type>``."""

    def __init__(self, casework: Casework, store: StoreThread, js: JetStreamContext) -> None:
        self.casework, self.store, self.js = casework, store, js
        self.published = 0
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New events were recorded: publish them now rather than at the next poll."""
        self._wake.set()

    async def stream_position(self) -> int:
        info = await self.js.stream_info(EVENTS_STREAM)
        return int(info.state.last_seq)

    async def run(self) -> None:
        """Publish until cancelled."""
        self.published = await self.stream_position()
        while True:
            store_position = await self.store.run(self.casework.position)
            if store_position < self.published:
                raise StreamAheadOfStoreError(
                    f"EVENTS 已到 {self.published}，事件库只到 {store_position} "
                    f"(EVENTS is at {self.published} but the event store only at {store_position})"
                )
            if store_position == self.published:
                await self._idle()
                continue
            page = await self.store.run(
                self.casework.recorder.select_notifications, self.published + 1, PAGE
            )
            await self._publish(page)

    async def _idle(self) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)

    async def _publish(self, page: Sequence[Notification]) -> None:
        if page[0].id != self.published + 1:
            raise PositionGapError(
                f"事件库位置从 {self.published} 跳到 {page[0].id} "
                f"(event store position jumps from {self.published} to {page[0].id})"
            )
        acks = [await self._publish_one(n) for n in page]
        try:
            results = await asyncio.gather(*acks)
        except (APIError, NatsTimeoutError) as failed:
            # Someone else published, or a publish was lost: take the stream's word and go on.
            log.warning("relay publish failed (%s); resyncing with the stream", failed)
            self.published = await self.stream_position()
            return
        self.published = int(results[-1].seq)

    async def _publish_one(self, notification: Notification) -> asyncio.Future[PubAck]:
        mapper = self.casework.mapper
        assert isinstance(mapper, FactMapper)
        body = mapper.unseal(notification.state)
        fact = json.loads(body)
        aggregate_id = UUID(str(notification.originator_id))
        # A unit fact (no problem_id) names its unit's aggregate instead of a problem.
        id_header, version_header = (HEADER_PROBLEM_ID, HEADER_PROBLEM_VERSION) \
            if "problem_id" in fact else (HEADER_UNIT_ID, HEADER_UNIT_VERSION)
        headers = {
            HEADER_MSG_ID: str(event_id_for(aggregate_id, notification.originator_version)),
            HEADER_EXPECTED_LAST_SEQUENCE: str(notification.id - 1),
            HEADER_EVENT_TYPE: fact["type"],
            HEADER_EVENT_VERSION: str(fact["version"]),
            id_header: str(aggregate_id),
            version_header: str(notification.originator_version),
            HEADER_POSITION: str(notification.id),
        }
        subject = event_subject(fact["unit"], fact["type"])
        future: asyncio.Future[PubAck] = await self.js.publish_async(
            subject, body, headers=headers
        )
        return future
