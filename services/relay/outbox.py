"""Transactional outbox: the event store's notification log, published to EVENTS in order.

Notification N is published with ``Nats-Expected-Last-Sequence: N-1``, ``Nats-Msg-Id`` = the
event id and the relay's seal, so JetStream itself guarantees stream sequence N == notification
N: no gap, no reorder, no duplicate. The stream's last sequence is the relay's bookkeeping, but
never taken on trust: at start the last ``CHECK_AT_START`` messages, and after any refused or
unacknowledged publish every message the relay did not see acknowledged, are compared with the
store. A message the store did not write there (forged, altered) stops the relay, naming its
sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from eventsourcing.persistence import Notification
from nats.js import JetStreamContext
from nats.js.api import PubAck
from nats.js.errors import APIError, NotFoundError

from events.seal import SealKey
from events.subjects import EVENTS_STREAM
from services.casework.application import Casework
from services.casework.mapper import FactMapper
from services.casework.store_thread import StoreThread
from services.relay.errors import ForeignEventError, PositionGapError, StreamAheadOfStoreError
from services.relay.message import Outgoing, compare, outgoing

log = logging.getLogger(__name__)

PAGE = 1000
ACK_WAIT_SECONDS = 10.0
"""How long a page's acknowledgements may take before it counts as refused."""
IDLE_POLL_SECONDS = 0.5
CHECK_AT_START = 100


class Relay:
    """Follows the notification log and publishes each event to ``events.<unit>.<type>``."""

    def __init__(self, casework: Casework, store: StoreThread, js: JetStreamContext,
                 key: SealKey) -> None:
        self.casework, self.store, self.js, self.key = casework, store, js, key
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
        last = await self.stream_position()
        await self.check(max(1, last - CHECK_AT_START + 1), last)
        self.published = last
        while True:
            # Cleared before the store is asked: a wake while it answers is not lost (it would
            # leave what was just recorded waiting for the next poll).
            self._wake.clear()
            store_position = await self.store.run(self.casework.position)
            if store_position < self.published:
                raise StreamAheadOfStoreError(stream_last=self.published,
                                              store_position=store_position)
            if store_position == self.published:
                await self._idle()
                continue
            page = await self.store.run(
                self.casework.recorder.select_notifications, self.published + 1, PAGE
            )
            await self._publish(page)

    async def check(self, first: int, last: int) -> None:
        """Every message of EVENTS from ``first`` to ``last`` is the store's, or the relay halts."""
        if last < first:
            return
        page = await self.store.run(self.casework.recorder.select_notifications, first,
                                    last - first + 1)
        by_position = {n.id: n for n in page}
        for sequence in range(first, last + 1):
            notification = by_position.get(sequence)
            expected = self.outgoing(notification) if notification else None
            try:
                message = await self.js.get_msg(EVENTS_STREAM, seq=sequence)
                body, headers = message.data, message.headers
            except NotFoundError:
                body, headers = None, None
            if expected is None and body is not None:
                raise StreamAheadOfStoreError(stream_last=last, store_position=sequence - 1)
            if (difference := compare(expected, sequence, body, headers)) is not None:
                raise ForeignEventError(sequence=sequence, why_zh=difference.zh,
                                        why_en=difference.en)

    def outgoing(self, notification: Notification) -> Outgoing:
        mapper = self.casework.mapper
        assert isinstance(mapper, FactMapper)
        return outgoing(mapper, self.key, notification)

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)

    async def _publish(self, page: Sequence[Notification]) -> None:
        if page[0].id != self.published + 1:
            raise PositionGapError(published=self.published, next_position=page[0].id)
        acks = [await self._publish_one(self.outgoing(n)) for n in page]
        try:
            # nats-py's publish_async futures have no deadline of their own: acknowledgements
            # lost with a dying server would leave the relay waiting for good.
            results = await asyncio.wait_for(asyncio.gather(*acks), ACK_WAIT_SECONDS)
        except (APIError, TimeoutError) as failed:  # TimeoutError: nats-py's and asyncio's
            # A publish was lost, or someone else published: what EVENTS now holds beyond what
            # was acknowledged must be the store's own, or the relay stops right here.
            log.warning("relay publish failed (%s); checking the stream against the store",
                        failed or type(failed).__name__)
            last = await self.stream_position()
            await self.check(self.published + 1, last)
            self.published = last
            return
        self.published = int(results[-1].seq)

    async def _publish_one(self, message: Outgoing) -> asyncio.Future[PubAck]:
        future: asyncio.Future[PubAck] = await self.js.publish_async(
            message.subject, message.body, headers=message.headers
        )
        return future
