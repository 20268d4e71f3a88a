"""Following EVENTS: exactly once, in batches, resuming after a crash, halting on a broken
stream."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from nats.aio.msg import Msg
from nats.errors import NotJSMessageError
from nats.js.errors import APIError

from events.subjects import EVENTS_STREAM
from projections.engine.catalog import projectors
from projections.engine.errors import StreamBehindError, StreamGapError
from projections.engine.projector import Recorded, positions
from projections.engine.reading import stream_sequence
from projections.engine.runner import Progress, catch_up, run
from projections.engine.store import SqliteStore, Tx
from projections.models.ledger import LedgerProjector, UnitLedger, read_ledger
from services.runtime.nats_server import EmbeddedNats
from tests.projections.stories import Story, random_history
from tests.projections.streams import events_stream

pytestmark = pytest.mark.integration
TODAY = date(2023, 3, 20)


class CrashingLedger(LedgerProjector):
    """The ledger projector, but the process dies while applying one event."""

    def __init__(self, crash_at: int) -> None:
        self.crash_at = crash_at

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        super().apply(tx, batch)
        if batch[0].position <= self.crash_at <= batch[-1].position:
            raise KeyboardInterrupt("power cut")


def a_ledger_built_in_one_go(store_path: Path) -> list[UnitLedger]:
    return read_ledger(SqliteStore(store_path), TODAY)


def test_catching_up_applies_every_event_in_batches_and_reports_progress(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    history = random_history(random.Random(7), 1500)
    seen: list[Progress] = []

    async def scenario() -> int:
        async with events_stream(nats_server.url) as stream:
            await stream.publish(history)
            return await catch_up(stream.js, SqliteStore(tmp_path / "r.db"), projectors(),
                                  on_progress=seen.append)

    assert asyncio.run(scenario()) == len(history) > 1000
    positions = [p.position for p in seen]  # a batch is what arrived, up to batch_size
    steps = [after - before for before, after in zip([0, *positions], positions, strict=False)]
    assert positions[-1] == len(history)
    assert len(steps) >= 2
    assert all(0 < step <= 1000 for step in steps)
    assert {p.target for p in seen} == {len(history)}


def test_a_crash_mid_transaction_leaves_nothing_half_applied_and_the_next_run_resumes(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    history = random_history(random.Random(11), 1400)

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            await stream.publish(history)
            crashing = SqliteStore(tmp_path / "crash.db")
            with pytest.raises(KeyboardInterrupt):
                await catch_up(stream.js, crashing, [CrashingLedger(crash_at=1200)])
            stored = positions(crashing, [LedgerProjector()])["ledger"]
            assert 200 <= stored < 1200  # the batch holding event 1200 (≤ 1000) left nothing
            reported = sum(event.type == "ProblemReported" for event in history[:stored])
            assert sum(len(unit.rows) for unit in read_ledger(crashing, TODAY)) == reported
            await catch_up(stream.js, crashing, projectors())
            await catch_up(stream.js, SqliteStore(tmp_path / "clean.db"), projectors())

    asyncio.run(scenario())
    resumed = a_ledger_built_in_one_go(tmp_path / "crash.db")
    assert resumed == a_ledger_built_in_one_go(tmp_path / "clean.db")
    assert sum(len(unit.rows) for unit in resumed) > 0


def test_a_stream_that_went_behind_the_projection_stops_it_naming_both_numbers(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    story = Story()
    for n in range(10):
        story.report(on=n)

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            await stream.publish(story.events)
            store = SqliteStore(tmp_path / "r.db")
            await catch_up(stream.js, store, projectors())
            await stream.recreate()  # the stream's files were lost …
            await stream.publish(story.events[:4])  # … and it started again
            with pytest.raises(StreamBehindError, match=r"\b4\b.*\b10\b") as stopped:
                await catch_up(stream.js, store, projectors())
            assert (stopped.value.expected, stopped.value.found) == (10, 4)

    asyncio.run(scenario())


def test_a_gap_in_the_stream_stops_the_projection_naming_the_missing_sequence(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    story = Story()
    for n in range(5):
        story.report(on=n)

    async def scenario() -> None:
        async with events_stream(nats_server.url) as stream:
            with pytest.raises(APIError, match="message delete not permitted"):
                await stream.js.delete_msg(EVENTS_STREAM, 1)  # the real stream refuses
            await stream.unguarded()
            await stream.publish(story.events)
            await stream.js.delete_msg(EVENTS_STREAM, 3)
            with pytest.raises(StreamGapError, match=r"expected sequence 3, found 4"):
                await catch_up(stream.js, SqliteStore(tmp_path / "r.db"), projectors())

    asyncio.run(scenario())


def test_the_running_projector_follows_new_events_until_cancelled(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    story = Story()
    for n in range(30):
        story.report(on=n, unit=("第一分局", "第二分局")[n % 2])
    store = SqliteStore(tmp_path / "r.db")

    async def scenario() -> None:
        reached = {10: asyncio.Event(), 30: asyncio.Event()}

        def note(progress: Progress) -> None:
            for position, event in reached.items():
                if progress.position >= position:
                    event.set()

        async with events_stream(nats_server.url) as stream:
            await stream.publish(story.events[:10])
            task = asyncio.create_task(run(stream.js, store, projectors(), on_progress=note))
            await asyncio.wait_for(reached[10].wait(), 10)
            await stream.publish(story.events[10:])
            await asyncio.wait_for(reached[30].wait(), 10)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(scenario())
    assert [len(unit.rows) for unit in read_ledger(store, TODAY)] == [15, 15]


def test_the_running_projector_rides_out_a_restart_of_nats_server(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    story = Story()
    for n in range(20):
        story.report(on=n)
    store = SqliteStore(tmp_path / "r.db")

    async def scenario() -> None:
        reached = {10: asyncio.Event(), 20: asyncio.Event()}

        def note(progress: Progress) -> None:
            for position, event in reached.items():
                if progress.position >= position:
                    event.set()

        async with events_stream(nats_server.url) as stream:
            await stream.publish(story.events[:10])
            task = asyncio.create_task(run(stream.js, store, projectors(), on_progress=note))
            await asyncio.wait_for(reached[10].wait(), 10)
            await asyncio.to_thread(nats_server.stop)
            await asyncio.to_thread(nats_server.start)
            async with events_stream(nats_server.url) as again:
                again.last, again.versions = stream.last, stream.versions
                await again.publish(story.events[10:])
            await asyncio.wait_for(reached[20].wait(), 30)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(scenario())
    assert [row.no for row in read_ledger(store, TODAY)[0].rows] == list(range(1, 21))


@pytest.mark.parametrize("reply", [
    "$JS.ACK.EVENTS.projections-1.1.4711.9.1700000000000000000.3",
    "$JS.ACK._.ACCOUNTHASH.EVENTS.projections-1.1.4711.9.1700000000000000000.3",
    "$JS.ACK._.ACCOUNTHASH.EVENTS.projections-1.1.4711.9.1700000000000000000.3.token",
])
def test_the_stream_sequence_is_read_from_either_form_of_reply_subject(reply: str) -> None:
    message = Msg(_client=None, reply=reply)  # type: ignore[arg-type]
    assert stream_sequence(message) == message.metadata.sequence.stream == 4711


def test_a_message_without_a_jetstream_reply_has_no_stream_sequence() -> None:
    with pytest.raises(NotJSMessageError):
        stream_sequence(Msg(_client=None, reply="_INBOX.abc"))  # type: ignore[arg-type]
