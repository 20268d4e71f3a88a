"""The watchdog in a real ``rectify up``, with the clock moved across each due date and the
process restarted in between: every warning is recorded exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from events.subjects import HEADER_POSITION, HEADER_UNIT_ID
from tests.integration.harness import RectifyProcess
from tests.supervision.running import (
    SECTION,
    UNIT_HEAD,
    events_of_type,
    ok,
    rectify_at,
    restart_at,
    settled,
    stream,
)

pytestmark = pytest.mark.integration

WARNINGS = ("DeadlineWarningRaised", "ResponseOverdue", "UnitResponseOverdue", "FilingOverdue")


def warnings_recorded(up: RectifyProcess) -> Counter[tuple[str, str, str]]:
    found = events_of_type(up, *WARNINGS)
    return Counter((str(e["type"]), str(e.get("level") or e.get("notice") or e.get("filing")),
                    str(e["due"])) for e in found)


def test_each_warning_is_recorded_once_across_restarts_counting_working_days(
        tmp_path: Path) -> None:
    up = rectify_at(tmp_path / "data", "2023-04-25T09:00:00+08:00")
    try:
        problem = ok(up, "report", "--unit", "沁园分局", "--channel", "self_inspection",
                     "--category", "overdue_cases", "--problem", "案件超期办理",
                     "--case", "某砖厂案立案后120日未结", "--as", "沁园分局 周强")
        ok(up, "assign", problem, "--leader", UNIT_HEAD, "--department", "法制股",
           "--measures", "清理积案", "--deadline", "2023年5月4日",
           "--milestone", "2023-04-27:完成积案清单", "--as", SECTION)
        ok(up, "order", "--problem", problem, "--reason", "进度迟缓", "--trigger", "slow",
           "--due", "2023-04-27", "--as", SECTION)
        ok(up, "order", "--unit", "沁园分局", "--reason", "自查不深入", "--trigger", "shallow",
           "--due", "4月27日", "--as", SECTION)
        settled(up)
        # Tuesday 4-25: 4-26, 4-27, 4-28 and 5-4 are working days (4-29 … 5-3 Labour Day): 4.
        assert warnings_recorded(up) == Counter()

        restart_at(up, "2023-04-26T09:00:00+08:00")
        settled(up)
        # Three working days left, though eight calendar days: blue.
        [blue] = events_of_type(up, "DeadlineWarningRaised")
        assert (blue["level"], blue["due"], blue["working_days_left"]) == ("blue", "2023-05-04", 3)
        assert (blue["actor"], blue["via"]) == ("系统预警", "system")

        restart_at(up, "2023-04-26T17:00:00+08:00")  # the same day again: nothing new
        settled(up)
        assert len(events_of_type(up, "DeadlineWarningRaised")) == 1

        restart_at(up, "2023-04-28T09:00:00+08:00")
        settled(up)
        restart_at(up, "2023-05-05T09:00:00+08:00")
        settled(up)
        restart_at(up, "2023-05-06T09:00:00+08:00")
        settled(up, sweeps=3)

        assert warnings_recorded(up) == Counter({
            ("DeadlineWarningRaised", "blue", "2023-05-04"): 1,
            ("DeadlineWarningRaised", "yellow", "2023-04-27"): 1,
            ("DeadlineWarningRaised", "red", "2023-05-04"): 1,
            ("ResponseOverdue", "order", "2023-04-27"): 2,
        })
        history = [e["type"] for e in up.cli_json("history", problem)]
        assert history.count("DeadlineWarningRaised") == 3
        assert "ResponseOverdue" in history

        messages = stream(up)
        assert [seq for seq, _, _ in messages] == list(range(1, len(messages) + 1))
        assert all(int(h[HEADER_POSITION]) == seq for seq, h, _ in messages)
        [unit_overdue] = [(h, e) for _, h, e in messages
                          if e["type"] == "ResponseOverdue" and e.get("problem_id") is None]
        assert HEADER_UNIT_ID in unit_overdue[0]
        assert unit_overdue[1]["problem_id"] is None
    finally:
        up.stop()


def test_a_ledger_not_filed_by_its_due_date_is_recorded_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "campaign.toml").write_text('units = ["甲分局", "乙分局"]\n', encoding="utf-8")
    up = rectify_at(data, "2023-03-03T09:00:00+08:00")
    try:
        ok(up, "campaign", "filed", "甲分局", "ledger", "--as", "甲分局 填报人")
        settled(up)
        assert events_of_type(up, "FilingOverdue") == []

        restart_at(up, "2023-03-06T09:00:00+08:00")
        settled(up)
        restart_at(up, "2023-03-07T09:00:00+08:00")
        settled(up)
        [overdue] = events_of_type(up, "FilingOverdue")
        assert (overdue["unit"], overdue["filing"], overdue["due"]) == ("乙分局", "ledger",
                                                                         "2023-03-05")
    finally:
        up.stop()
