"""nats-py raises a plain ``asyncio.TimeoutError`` (empty message) from ``fetch`` when its
deadline runs out under load, besides its own ``nats.errors.TimeoutError``. The projections'
follower takes both for an idle poll and goes on; a one-shot catch-up does too."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import nats.errors
import pytest
from nats.aio.msg import Msg

from projections.engine.catalog import projectors
from projections.engine.reading import EventReader
from projections.engine.runner import Progress, run
from projections.engine.store import SqliteStore
from projections.models.ledger import read_ledger
from services.runtime.faults import is_passing
from services.runtime.nats_server import EmbeddedNats
from tests.projections.stories import Story
from tests.projections.streams import events_stream
from tests.projections.test_runner import TODAY

pytestmark = pytest.mark.integration


def test_plain_and_nats_timeouts_from_fetch_are_idle_polls(
        nats_server: EmbeddedNats, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = Story()
    for n in range(40):
        story.report(on=n, unit=("第一分局", "第二分局")[n % 2])
    real_fetch = EventReader.fetch
    timeouts = itertools.cycle([TimeoutError(), nats.errors.TimeoutError(), None])
    raised: list[BaseException] = []

    async def fetch_timing_out(self: EventReader, batch: int, wait: float) -> list[Msg]:
        if (timeout := next(timeouts)) is not None:
            raised.append(timeout)
            raise timeout
        return await real_fetch(self, min(batch, 5), wait)

    monkeypatch.setattr(EventReader, "fetch", fetch_timing_out)
    store = SqliteStore(tmp_path / "r.db")

    async def scenario() -> None:
        done = asyncio.Event()

        def note(progress: Progress) -> None:
            if progress.position >= 40:
                done.set()

        async with events_stream(nats_server.url) as stream:
            await stream.publish(story.events)
            task = asyncio.create_task(run(stream.js, store, projectors(), on_progress=note,
                                           key=stream.key, passing=is_passing))
            await asyncio.wait_for(done.wait(), 30)
            assert not task.done(), "the follower is still following"
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(scenario())
    assert any(type(t) is asyncio.TimeoutError for t in raised)
    assert any(isinstance(t, nats.errors.TimeoutError) for t in raised)
    assert [len(unit.rows) for unit in read_ledger(store, TODAY)] == [20, 20]
