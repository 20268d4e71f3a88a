"""A damaged EVENTS halts the read side with the sequence named, readers say their view is
stale, and ``rectify repair --apply`` restores everything from the event store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.faults.damage import Damage, damage_events
from tests.integration.harness import RectifyProcess, wait_until
from tests.integration.test_rectify_up import report

pytestmark = pytest.mark.integration

NOW = "2026-03-01T09:00:00+08:00"


def status_of(up: RectifyProcess) -> dict[str, Any]:
    answer: dict[str, Any] = up.cli_json("status")
    return answer


def wait_for(up: RectifyProcess, condition: Any, what: str, timeout: float = 60) -> None:
    async def holds() -> bool:
        return bool(condition(status_of(up)))

    asyncio.run(wait_until(holds, timeout=timeout, what=what))


def projected(status: dict[str, Any]) -> bool:
    last = status["streams"]["EVENTS"]["last_seq"]
    return bool(status["relay_lag"] == 0 and status["projections"]
                and all(p["position"] == last for p in status["projections"].values()))


@pytest.fixture
def half_projected(tmp_path: Path) -> tuple[RectifyProcess, int, int]:
    """A stopped rectify whose read models stand at P while EVENTS and the store go on to L."""
    up = RectifyProcess(tmp_path / "data")
    up.env["RECTIFY_NOW"] = NOW
    up.start()
    for _ in range(3):
        report(up)
    wait_for(up, projected, "the first reports projected")
    position = status_of(up)["streams"]["EVENTS"]["last_seq"]
    up.stop()
    up.start("--without", "projections")
    for _ in range(3):
        report(up)
    wait_for(up, lambda s: s["relay_lag"] == 0, "the later reports published")
    last = status_of(up)["streams"]["EVENTS"]["last_seq"]
    up.stop()
    return up, position, last


@pytest.mark.parametrize("how", list(Damage))
def test_a_damaged_stream_halts_the_read_side_until_repaired_from_the_store(
        half_projected: tuple[RectifyProcess, int, int], how: Damage) -> None:
    up, position, last = half_projected
    bad = position + 2 if how is not Damage.FORGED else last
    damage_events(up.data_dir, how, bad)
    expected = {Damage.PURGED: position + 1, Damage.FORGED: last + 1}.get(how, bad)
    up.start()
    try:
        wait_for(up, lambda s: "projections" in s["alarms"], "the projections halted")
        alarm = status_of(up)["alarms"]["projections"]
        assert f"第 {expected} " in alarm["zh"]
        assert str(expected) in alarm["en"]
        assert "rectify repair" in alarm["zh"]
        before = up.cli("ledger", "--format", "json")
        assert before.returncode != 0, "a halted projection makes a reader exit non-zero"
        assert "投影已停止" in before.stderr
        stale = up.cli("ledger", "--format", "json", "--stale-ok")
        assert stale.returncode == 0
        assert json.loads(stale.stdout)["freshness"]["current"] is False
        workbook = up.data_dir.parent / "stale.xlsx"
        assert up.cli("ledger", "--format", "xlsx", "--stale-ok", "-o",
                      str(workbook)).returncode == 0
        under_title = str(openpyxl.load_workbook(workbook).worksheets[0].cell(2, 1).value)
        assert "投影已停止" in under_title

        check = up.cli("repair", "--format", "json")
        assert check.returncode == 1, check.stderr
        found = json.loads(check.stdout)
        assert any(d["sequence"] == (last + 1 if how is Damage.FORGED else expected)
                   for d in found["differences"]), found

        repaired = up.cli("repair", "--apply", "--format", "json")
        assert repaired.returncode == 0, repaired.stderr
        wait_for(up, lambda s: not s["alarms"] and projected(s), "everything running again")
        assert up.cli("repair").returncode == 0, "EVENTS equals the store after the repair"
        ledger = up.view("ledger")
        problems = [row for unit in ledger["units"] for row in unit["rows"]]
        assert len(problems) == 6
        rebuilt = up.cli("rebuild", "--format", "json")
        assert rebuilt.returncode == 0, rebuilt.stderr
        last_seq = status_of(up)["streams"]["EVENTS"]["last_seq"]
        assert json.loads(rebuilt.stdout) == {"ok": True, "position": last_seq}
        assert up.view("ledger") == ledger, "the live views equal a clean rebuild"
    finally:
        up.stop()
