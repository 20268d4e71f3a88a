"""The read side for real: projections inside `rectify up`, read through the CLI, rebuilt, and
a standalone projector killed with -9 while events stream in."""

from __future__ import annotations

import asyncio
import functools
import json
import random
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import nats
import pytest
from openpyxl import load_workbook

from projections.engine.catalog import projectors
from projections.engine.runner import catch_up
from projections.engine.store import SqliteStore
from services.runtime.config import READ_MODELS_FILE
from tests.builders import a_submission
from tests.integration.harness import RECTIFY, RectifyProcess, publish, wait_until

pytestmark = pytest.mark.integration

NOW = "2023-04-15T10:00:00+08:00"


def projected_everything(up: RectifyProcess) -> bool:
    done = up.cli("status", "--format", "json")
    if done.returncode != 0:
        return False
    status = json.loads(done.stdout)
    last = status["streams"]["EVENTS"]["last_seq"]
    return bool(last > 0 and status["relay_lag"] == 0 and status["projections"]
                and all(p["lag"] == 0 for p in status["projections"].values()))


def test_the_demo_campaign_reads_back_as_ledger_trail_stats_and_board(tmp_path: Path) -> None:
    up = RectifyProcess(tmp_path / "data")
    up.env["RECTIFY_NOW"] = NOW
    # One watchdog sweep (at start): a second one mid-test would add warnings between the
    # ledger read before the rebuild and the one after it.
    up.env["RECTIFY_WATCHDOG_SECONDS"] = "3600"
    up.start(command="demo")
    try:
        async def ready() -> bool:
            stats = up.cli("stats", "--format", "json")
            return (stats.returncode == 0 and json.loads(stats.stdout)["total"]["reported"] == 12
                    and projected_everything(up))

        asyncio.run(wait_until(ready, what="the demo's 12 problems projected"))
        ledger = up.cli_json("ledger")
        rows = [row for unit in ledger["units"] for row in unit["rows"]]
        assert len(rows) == 12
        assert set(rows[0]) == {"no", "problem", "case", "measures", "deadline", "department",
                                "leader", "remarks", "unit", "problem_id", "status"}
        assert any("超期" in row["remarks"] for row in rows)

        workbook_path = tmp_path / "ledger.xlsx"
        assert up.cli("ledger", "--format", "xlsx", "-o", str(workbook_path)).returncode == 0
        sheet = load_workbook(workbook_path).worksheets[0]
        assert sheet["A1"].value == "行政执法突出问题整改台账"
        assert [c.value for c in sheet[3]] == ["序号", "执法问题", "执法案例", "整改措施",
                                               "整改时限", "责任部门", "责任领导", "备注"]

        stats = up.cli_json("stats")
        assert stats["total"]["overdue"] == sum("超期" in row["remarks"] for row in rows)
        board = up.cli_json("board")
        assert {item["problem_id"] for item in board["overdue"]} == {
            row["problem_id"] for row in rows if "超期" in row["remarks"]}
        assert set(board) >= {"behind", "approaching", "open_notices", "late_filings",
                              "rebounds", "spot_check"}
        assert any(n["problem_id"] is None for n in board["open_notices"])  # a unit's own order
        assert [e["rank"] for e in board["spot_check"]] == list(
            range(1, len(board["spot_check"]) + 1))
        assert any(unit["unit_notices"] for unit in ledger["units"])

        assert [p["unit"] for p in up.cli_json("plan", "list")["plans"]] == ["沁园分局"]
        waiting = up.cli_json("extension", "list", "--pending")["requests"]
        assert [r["unit"] for r in waiting] == ["济水分局"]  # asked, not yet decided

        summary = up.cli_json("summary")
        assert summary["campaign"]["reported"] == 12
        assert summary["campaign"]["closed"] == sum(r["status"] == "closed" for r in rows)
        assert summary["campaign"]["overdue"] == stats["total"]["overdue"]
        report = tmp_path / "总结.xlsx"
        assert up.cli("summary", "--format", "xlsx", "-o", str(report)).returncode == 0
        assert load_workbook(report).sheetnames[0] == "总体情况"
        assert "# 行政执法突出问题专项整治工作总结" in up.cli("summary", "--format", "md").stdout

        leaders = up.cli_json("trail", "--by", "leader")
        assert sum(line["assigned"] for line in leaders) == sum(1 for r in rows if r["leader"])
        one = leaders[0]["who"]
        assert up.cli_json("trail", "--leader", one)["summary"]["who"] == one
        assert up.cli("trail", "--leader", "无此人").returncode == 1

        before = up.view("ledger")
        rebuilt = up.cli("rebuild")
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert up.view("ledger") == before

        early = up.cli_json("ledger", "--as-of", "2023-03-01")
        assert sum(len(u["rows"]) for u in early["units"]) < 12
    finally:
        up.stop()


def table_contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table of the live generation, by name without its generation prefix."""
    db = sqlite3.connect(path)
    try:
        (live,) = db.execute("SELECT generation FROM rectify_live").fetchone()
        prefix = f"g{live}_"
        names = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?",
            (f"{prefix}%",))]
        return {name.removeprefix(prefix): sorted(db.execute(f'SELECT * FROM "{name}"'))
                for name in sorted(names)}
    finally:
        db.close()


def projected_position(path: Path) -> int:
    if not path.exists():
        return 0
    db = sqlite3.connect(path)
    try:
        row = db.execute("SELECT MIN(position) FROM rectify_tracking WHERE generation ="
                         " (SELECT generation FROM rectify_live)").fetchone()
        return int(row[0] or 0)
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        db.close()


async def _past(path: Path, position: int) -> bool:
    return projected_position(path) > position


def test_a_projector_killed_with_9_again_and_again_ends_equal_to_a_clean_rebuild(
    tmp_path: Path,
) -> None:
    up = RectifyProcess(tmp_path / "data")
    url = up.start("--without", "projections")
    read_models = up.data_dir / READ_MODELS_FILE
    rng = random.Random(9)
    log = (tmp_path / "project.log").open("ab")

    def projector() -> subprocess.Popen[bytes]:
        return subprocess.Popen([*RECTIFY, "project", "--data-dir", str(up.data_dir)],
                                env=up.env, stdout=log, stderr=log)

    async def scenario() -> None:
        client = await nats.connect(url)
        js = client.jetstream()
        running = projector()
        try:
            kills = 0
            for round_ in range(4):
                kill_at = rng.randint(50, 249)
                for n in range(250):
                    await publish(js, a_submission(intake_id=f"r{round_}-{n}",
                                                   unit=f"第{n % 7}分局"))
                    if n == kill_at:
                        await wait_until(functools.partial(
                            _past, read_models, projected_position(read_models)),
                            what="the projector applying something")
                        running.kill()
                        running.wait(10)
                        kills += 1
                        running = projector()
            assert kills == 4

            async def caught_up() -> bool:
                return projected_everything(up) and (await js.stream_info("EVENTS")) \
                    .state.last_seq >= 1000

            await wait_until(caught_up, what="the restarted projector caught up")
            clean = SqliteStore(tmp_path / "clean.sqlite3")
            await catch_up(js, clean, projectors())
            clean.close()
        finally:
            running.terminate()
            running.wait(10)
            await client.close()

    try:
        asyncio.run(scenario())
    finally:
        up.stop()
    live, clean = table_contents(read_models), table_contents(tmp_path / "clean.sqlite3")
    assert set(live) == set(clean)
    assert sum(len(rows) for rows in live.values()) > 1000
    assert live == clean
