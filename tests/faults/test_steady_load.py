"""200 reports a second through the API for a minute, then a burst of 5,000 straight onto
INTAKE: nothing is lost or doubled, and the time from acknowledgement to the ledger row is
printed (p50/p95/p99/max; a benchmark figure, not asserted here: see benchmarks/latency.py)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import nats
import pytest

from events.identity import problem_id_for
from events.vocabulary import Channel
from tests.builders import a_submission
from tests.faults.load import (
    Accepted,
    ProjectionWatch,
    check_nothing_lost_and_all_consistent,
    report_over_http,
    status_of,
)
from tests.integration.harness import RectifyProcess, publish

# On a machine as busy as a shared 2-core CI box the API takes 4 minutes for the steady
# minute alone, and the consistency check after it several more: give it room.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

PER_SECOND, SECONDS, BURST = 200, 60, 5000


async def burst(url: str, count: int, accepted: Accepted) -> None:
    """``count`` submissions published at once, pipelined; only acknowledged ones count."""
    client = await nats.connect(url)
    try:
        js = client.jetstream(timeout=30)

        async def one(n: int) -> None:
            submission = a_submission(intake_id=f"burst-{n}")
            try:
                await publish(js, submission)
            except Exception as failed:  # not acknowledged: not counted
                accepted.refused[type(failed).__name__] += 1
                return
            problem = problem_id_for(Channel.WEBSITE, submission.intake_id)
            accepted.problems[str(problem)] = time.monotonic()

        await asyncio.gather(*(one(n) for n in range(count)))
    finally:
        await client.close()


def test_steady_reports_and_a_burst_lose_nothing(tmp_path: Path) -> None:
    up = RectifyProcess(tmp_path / "data")
    up.env["RECTIFY_FILING_RATE"] = "1000000/minute"
    up.env["RECTIFY_NOW"] = "2026-03-01T09:00:00+08:00"
    url = up.start()
    try:
        http = status_of(up)["endpoints"]["http"]
        steady, bursting, everything = Accepted(), Accepted(), Accepted()
        watch = ProjectionWatch(up)

        async def scenario() -> float:
            stop = asyncio.Event()
            watching = asyncio.create_task(watch.run(url, stop, everything))
            started = time.monotonic()
            await report_over_http(http, PER_SECOND * SECONDS, PER_SECOND, steady)
            took = time.monotonic() - started
            await burst(url, BURST, bursting)
            everything.problems.update({**steady.problems, **bursting.problems})
            stop.set()
            await asyncio.wait_for(watching, timeout=300)
            return took

        took = asyncio.run(scenario())
        print(f"\nsteady: {len(steady.problems)} reports in {took:.0f} s "
              f"({len(steady.problems) / took:.0f}/s asked {PER_SECOND}/s), accept→ledger "
              f"{watch.percentiles(steady)}; burst of {BURST}: {watch.percentiles(bursting)}; "
              f"refused {dict(steady.refused) | dict(bursting.refused)}")
        assert len(steady.problems) == PER_SECOND * SECONDS, steady.refused
        assert len(bursting.problems) == BURST, bursting.refused
        check_nothing_lost_and_all_consistent(up, url, everything)
    finally:
        up.stop()
