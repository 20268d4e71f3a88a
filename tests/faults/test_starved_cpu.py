"""With every core busy twice over, reports keep streaming in through the API and the CLI for
a minute: no part halts or raises an alarm, and the read side catches up within 10 s after."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest

from tests.faults.load import (
    Accepted,
    busy_cpus,
    check_nothing_lost_and_all_consistent,
    report_over_http,
    status_of,
    wait_caught_up,
)
from tests.integration.harness import RectifyProcess
from tests.integration.test_rectify_up import report

pytestmark = pytest.mark.integration

REPORTS = 2000
SECONDS = 60.0


def test_a_starved_cpu_halts_nothing_and_the_read_side_catches_up(tmp_path: Path) -> None:
    up = RectifyProcess(tmp_path / "data")
    up.env["RECTIFY_FILING_RATE"] = "1000000/minute"
    up.env["RECTIFY_NOW"] = "2026-03-01T09:00:00+08:00"
    url = up.start()
    try:
        http = status_of(up)["endpoints"]["http"]
        accepted = Accepted()
        started = time.monotonic()
        with busy_cpus(per_core=2):
            by_hand = threading.Thread(target=lambda: [report(up) for _ in range(5)])
            by_hand.start()
            asyncio.run(report_over_http(http, REPORTS, REPORTS / SECONDS, accepted))
            by_hand.join()
            loaded_for = time.monotonic() - started
            assert status_of(up)["alarms"] == {}, "nothing halts while the CPU is starved"
        settled = wait_caught_up(up, timeout=10)
        print(f"\n{len(accepted.problems)} reports accepted in {loaded_for:.0f} s beside "
              f"{2 * len(os.sched_getaffinity(0))} busy processes; caught up "
              f"{settled:.1f} s after the load stopped; refused: {dict(accepted.refused)}")
        assert loaded_for >= SECONDS * (REPORTS - 1) / REPORTS  # the last one goes at 59.97 s
        assert len(accepted.problems) == REPORTS, accepted.refused
        assert all(n == 0 for n in status_of(up)["restarts"].values())
        check_nothing_lost_and_all_consistent(up, url, accepted)
    finally:
        up.stop()
