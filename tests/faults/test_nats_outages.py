"""NATS goes away under rectify while reports stream in: killed with -9 and restarted after
5 s, or stopped (SIGSTOP) for 10 s. Clients see timeouts and lost connections, nothing else:
every acknowledged report is one problem, EVENTS equals the store, the views a rebuild."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from services.runtime.nats_server import EmbeddedNats, free_port
from tests.faults.load import Accepted, check_nothing_lost_and_all_consistent, report_over_nats
from tests.integration.harness import RectifyProcess

pytestmark = pytest.mark.integration

REPORTS = 600
PER_SECOND = 30.0


# The sleeps below are the outages themselves (what is simulated), not waits for a condition.
# The server is started again on the test's main thread: Linux ends a child whose parent
# thread exits (nats-server is started with PDEATHSIG).

async def kill_and_restart(server: EmbeddedNats) -> None:
    assert server.process is not None
    server.process.kill()
    server.process.wait()
    await asyncio.sleep(5)
    server.start()


async def stop_and_continue(server: EmbeddedNats) -> None:
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGSTOP)
    await asyncio.sleep(10)
    os.kill(server.process.pid, signal.SIGCONT)


@pytest.mark.parametrize("outage", [kill_and_restart, stop_and_continue],
                         ids=["kill -9, back after 5 s", "SIGSTOP for 10 s"])
def test_rectify_rides_out_a_nats_outage_mid_stream(
        tmp_path: Path, outage: Callable[[EmbeddedNats], Awaitable[None]]) -> None:
    server = EmbeddedNats(tmp_path / "nats", port=free_port())
    server.start()
    up = RectifyProcess(tmp_path / "data")
    up.env["RECTIFY_NOW"] = "2026-03-01T09:00:00+08:00"
    try:
        up.start("--nats-url", server.url)
        accepted = Accepted()

        async def trouble() -> None:
            await asyncio.sleep(REPORTS / PER_SECOND / 3)
            await outage(server)

        async def scenario() -> None:
            await asyncio.gather(trouble(), report_over_nats(
                server.url, REPORTS, PER_SECOND, accepted, tmp_path.name))

        asyncio.run(scenario())
        print(f"\n{len(accepted.problems)} of {REPORTS} acknowledged; refused while NATS was "
              f"away: {dict(accepted.refused)}")
        assert len(accepted.problems) >= REPORTS // 2
        check_nothing_lost_and_all_consistent(up, server.url, accepted)
        assert up.process is not None
        assert up.process.poll() is None, "rectify up is still running"
    finally:
        up.stop()
        server.stop()
