"""`rectify up` as a real process, driven through the real CLI, checked on the real stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import pytest

from events.subjects import EVENTS_STREAM, HEADER_POSITION, HEADER_PROBLEM_ID
from services.runtime.bus import user_url
from tests.integration.harness import RectifyProcess, wait_for_fact

pytestmark = pytest.mark.integration

SECTION, CHECKER, UNIT_HEAD = "王科长", "赵干事", "张局长"


@pytest.fixture
def rectify_up(tmp_path: Path) -> Iterator[RectifyProcess]:
    process = RectifyProcess(tmp_path / "data")
    process.env["RECTIFY_NOW"] = "2026-03-01T09:00:00+08:00"  # the campaign's collection phase
    process.start()
    yield process
    if process.process is not None and process.process.poll() is None:
        process.stop()


async def events_on_stream(url: str) -> list[tuple[int, dict[str, str], dict[str, Any]]]:
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        last = (await js.stream_info(EVENTS_STREAM)).state.last_seq
        found = []
        for seq in range(1, last + 1):
            msg = await js.get_msg(EVENTS_STREAM, seq)
            found.append((seq, dict(msg.headers or {}), json.loads(msg.data or b"null")))
        return found
    finally:
        await client.close()


def report(up: RectifyProcess, **extra: str) -> str:
    args = ["report", "--unit", "沁园分局", "--channel", "website", "--category", "procedure",
            "--problem", "行政处罚前未告知陈述申辩权利", "--case", "某餐馆油烟案",
            "--reporter-name", "刘女士", "--reporter-phone", "13812345678", "--as", "网站受理"]
    for flag, value in extra.items():
        args += [f"--{flag.replace('_', '-')}", value]
    answer = up.cli_json(*args)
    problem_id: str = answer["problem_id"]
    return problem_id


def test_a_problem_lives_its_whole_life_through_the_cli(rectify_up: RectifyProcess) -> None:
    up = rectify_up
    problem = report(up)
    steps = [
        ("triage", "--cause", "制度执行不到位", "--root-cause", "程序意识淡薄", "--typical",
         "--typical-because", "群众关注度较高", "--as", SECTION),
        ("assign", "--leader", UNIT_HEAD, "--department", "法制股", "--measures", "补正程序",
         "--deadline", "2026年4月10日", "--milestone", "2026-03-20:完成案卷复查", "--as", SECTION),
        ("progress", "--note", "案卷复查完成", "--milestone", "1", "--as", UNIT_HEAD),
        ("submit-fix", "--summary", "已补正并培训", "--evidence", "签到表.pdf", "--as", UNIT_HEAD),
        ("verify", "--as", CHECKER),
        ("answer", "--message", "您反映的问题已整改到位，感谢监督。", "--as", SECTION),
        ("close", "--as", SECTION),
    ]
    for verb, *args in steps:
        done = up.cli(verb, problem, *args)
        assert done.returncode == 0, done.stderr
        if verb == "answer":  # the answers part records the delivery (by tracking number)
            wait_for_fact(up, problem, "AnswerDelivered")

    history = up.cli_json("history", problem)
    expected_types = ["ProblemReported", "ProblemTriaged", "RectificationAssigned",
                      "MilestoneCompleted", "FixSubmitted", "FixVerified", "ReporterAnswered",
                      "AnswerDelivered", "ProblemClosed"]
    assert [e["type"] for e in history] == expected_types
    assert [e["actor"] for e in history] == ["网站受理", SECTION, SECTION, UNIT_HEAD, UNIT_HEAD,
                                             CHECKER, SECTION, "系统答复", SECTION]
    assert all(e["occurred_at"] for e in history)

    table = up.cli("history", problem)
    assert "销号" in table.stdout
    assert CHECKER in table.stdout

    url = user_url(up.data_dir, up.cli_json("status")["nats_url"], "reader")
    on_stream = asyncio.run(events_on_stream(url))
    assert [e for _, _, e in on_stream] == history
    assert all(int(h[HEADER_POSITION]) == seq and h[HEADER_PROBLEM_ID] == problem
               for seq, h, _ in on_stream)
    # Every part did its job as its own NATS user, none needing what its user may not do.
    assert up.bus_violations() == []


def test_illegal_transitions_and_stale_versions_are_refused_and_record_nothing(
        rectify_up: RectifyProcess) -> None:
    up = rectify_up
    problem = report(up)
    refused = up.cli("close", problem, "--as", SECTION)
    assert refused.returncode == 1
    assert "尚未验收" in refused.stderr
    stale = up.cli("assign", problem, "--leader", UNIT_HEAD, "--department", "法制股",
                   "--measures", "补正", "--deadline", "2026-04-10", "--expected-version", "7")
    assert stale.returncode == 1
    assert "版本" in stale.stderr
    refused_en = up.cli("verify", problem, "--lang", "en", "--format", "json")
    assert refused_en.returncode == 1
    assert json.loads(refused_en.stdout)["error"]["code"] == "no_fix_submitted"
    assert "no fix has been submitted" in refused_en.stderr
    assert [e["type"] for e in up.cli_json("history", problem)] == ["ProblemReported"]
    status = up.cli_json("status")
    assert status["store_position"] == 1


def test_state_survives_stop_and_start(rectify_up: RectifyProcess) -> None:
    up = rectify_up
    problem = report(up)
    assert up.cli("assign", problem, "--leader", UNIT_HEAD, "--department", "法制股",
                  "--measures", "补正", "--deadline", "2026-04-10", "--immediate").returncode == 0
    assert up.stop() == 0
    assert up.cli("status").returncode == 3  # nothing runs: a clear "not running"
    up.start()
    history = up.cli_json("history", problem)
    assert [e["type"] for e in history] == ["ProblemReported", "RectificationAssigned"]
    status = up.cli_json("status")
    assert status["streams"]["EVENTS"]["last_seq"] == status["store_position"] == 2
    assert status["relay_lag"] == 0
