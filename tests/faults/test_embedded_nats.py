"""The embedded nats-server killed under a running ``rectify up`` is started again by it, on
the same port and store: the restart is counted, and filing goes on."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from tests.faults.load import status_of
from tests.integration.harness import RectifyProcess, wait_until
from tests.integration.test_rectify_up import report

REPORT = ("report", "--unit", "沁园分局", "--channel", "website", "--category", "procedure",
          "--problem", "重启后再报的问题", "--case", "某案", "--as", "网站受理",
          "--intake-id", "after-restart")  # so that a retry files nothing twice

pytestmark = pytest.mark.integration


def test_a_killed_embedded_nats_server_is_started_again_and_filing_goes_on(
        tmp_path: Path) -> None:
    up = RectifyProcess(tmp_path / "data")
    up.env["RECTIFY_NOW"] = "2026-03-01T09:00:00+08:00"
    up.start()
    try:
        report(up)
        pid_file = up.data_dir / "nats" / "nats-server.pid"
        first = int(pid_file.read_text())
        os.kill(first, signal.SIGKILL)

        async def restarted() -> bool:
            return pid_file.exists() and int(pid_file.read_text()) != first

        asyncio.run(wait_until(restarted, timeout=30, what="the nats-server started again"))

        async def filed_again() -> bool:  # each part's client reconnects within a few seconds
            return up.cli(*REPORT).returncode == 0

        asyncio.run(wait_until(filed_again, timeout=60, what="a report filed after the restart"))

        async def settled() -> bool:
            status = status_of(up)
            return bool(status["restarts"].get("nats") == 1 and not status["alarms"]
                        and status["relay_lag"] == 0)

        asyncio.run(wait_until(settled, timeout=60, what="the restart counted, no alarm"))
        assert len([row for unit in up.cli_json("ledger")["units"] for row in unit["rows"]]) == 2
    finally:
        up.stop()
