"""The relay against a real nats-server: pages published while more is filed, a forged message,
a server that dies with acknowledgements outstanding. The store is the truth; EVENTS must end
up its exact copy, or the relay must stop naming the message that is not."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import nats
import pytest
from nats.js import JetStreamContext

from events.identity import event_id_for
from events.seal import SealKey
from events.subjects import EVENTS_STREAM, HEADER_MSG_ID, HEADER_POSITION, HEADER_SEAL
from services.casework.application import Casework
from services.casework.store_thread import StoreThread
from services.relay import outbox
from services.relay.outbox import Relay
from services.runtime.nats_server import EmbeddedNats
from services.runtime.streams import ensure_streams
from services.runtime.supervisor import Supervisor
from tests.builders import a_submission
from tests.integration.harness import wait_until

KEY = SealKey(b"relay-tests-seal-key-of-32-bytes")
PAGES = 2.5
"""Reports filed before the relay starts, in pages: more than one page."""


@dataclass
class Outbox:
    casework: Casework
    store: StoreThread
    js: JetStreamContext
    supervisor: Supervisor
    relay: Relay

    async def file(self, count: int, first: int = 0) -> int:
        """File ``count`` website reports; the store's position after."""
        submissions = [a_submission(intake_id=f"web-{n:06d}") for n in range(first, first + count)]
        await self.store.run(self.casework.file, submissions)
        return await self.store.run(self.casework.position)

    async def relayed(self, position: int, timeout: float = 60) -> None:
        async def there() -> bool:
            return self.relay.published >= position
        await wait_until(there, timeout, what=f"the relay at {position}")


@asynccontextmanager
async def relaying(server: EmbeddedNats, tmp_path: Path) -> AsyncIterator[Outbox]:
    client = await nats.connect(server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    js = client.jetstream()
    await ensure_streams(js)
    store = StoreThread()
    casework = await store.run(Casework, {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                          "SQLITE_DBNAME": str(tmp_path / "events.sqlite")})
    relay = Relay(casework, store, js, KEY)
    supervisor = Supervisor()
    try:
        yield Outbox(casework, store, js, supervisor, relay)
    finally:
        await supervisor.stop_all()
        await store.run(casework.close)
        store.close()
        await client.close()


async def exact_copy(box: Outbox, last: int) -> None:
    """EVENTS holds positions 1..last, each at its own sequence, with its event id and seal."""
    info = await box.js.stream_info(EVENTS_STREAM)
    assert (info.state.first_seq, info.state.last_seq, info.state.messages) == (1, last, last)
    for notification in await box.store.run(
            box.casework.recorder.select_notifications, 1, last):
        message = await box.js.get_msg(EVENTS_STREAM, seq=notification.id)
        headers = message.headers or {}
        expected_id = str(event_id_for(UUID(str(notification.originator_id)),
                                       notification.originator_version))
        assert headers[HEADER_POSITION] == str(notification.id)
        assert headers[HEADER_MSG_ID] == expected_id
        assert KEY.holds(notification.id, expected_id, message.data or b"", headers[HEADER_SEAL])


def test_what_was_filed_before_and_while_the_relay_runs_is_published_once_in_order(
        nats_server: EmbeddedNats, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with relaying(nats_server, tmp_path) as box:
            before = await box.file(int(PAGES * outbox.PAGE))
            box.supervisor.start("relay", box.relay.run)
            later = before
            for batch in range(5):  # filed while the relay publishes
                later = await box.file(300, first=100_000 + 300 * batch)
            await box.relayed(later)
            await exact_copy(box, later)
            assert box.supervisor.restarts["relay"] == 0

    asyncio.run(scenario())


def test_a_message_someone_else_put_on_events_stops_the_relay_naming_it(
        nats_server: EmbeddedNats, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with relaying(nats_server, tmp_path) as box:
            first = await box.file(10)
            box.supervisor.start("relay", box.relay.run)
            await box.relayed(first)
            await box.js.publish("events.第一分局.ProblemClosed", b'{"forged": true}')
            await box.file(2 * outbox.PAGE, first=10)

            async def halted() -> bool:
                return box.supervisor.halted("relay")
            await wait_until(halted, 60, what="the relay halted")
            forged = first + 1
            assert box.relay.published == first
            assert f"EVENTS 第 {forged} 条与事件库不符" in box.supervisor.alarms["relay"].zh
            assert f"EVENTS message {forged} does not match" in \
                box.supervisor.alarms["relay"].en

    asyncio.run(scenario())


def test_acknowledgements_lost_with_the_server_do_not_hang_the_relay(
        nats_server: EmbeddedNats, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """nats-py's publish_async futures have no deadline: when the server dies mid-page, their
    acknowledgements never come. The relay gives up on them, and once the server is back
    compares the stream with the store and carries on: nothing lost, nothing doubled."""
    monkeypatch.setattr(outbox, "ACK_WAIT_SECONDS", 1.0)

    async def scenario() -> None:
        async with relaying(nats_server, tmp_path) as box:
            last = await box.file(int(PAGES * outbox.PAGE))
            box.supervisor.start("relay", box.relay.run)

            async def under_way() -> bool:
                return box.relay.published > 0
            await wait_until(under_way, 30, what="the relay publishing")
            assert nats_server.process is not None
            nats_server.process.send_signal(signal.SIGKILL)
            nats_server.process.wait()
            nats_server.start()  # same port, same store
            await box.relayed(last, timeout=120)
            await exact_copy(box, last)
            assert "relay" not in box.supervisor.alarms

    asyncio.run(scenario())
    gave_up = [r for r in caplog.records if "checking the stream against the store" in r.message]
    assert gave_up, "the server died after every acknowledgement had come: nothing was tested"
