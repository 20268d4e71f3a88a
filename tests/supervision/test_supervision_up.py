"""Supervision through the real CLI against a real ``rectify up``: the closure gate, orders and
circulars with responses, and the spot-check list."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from services.supervision.spotcheck import random_draw
from tests.integration.harness import RectifyProcess, wait_for_fact
from tests.supervision.running import (
    CHECKER,
    SECTION,
    UNIT_HEAD,
    events_of_type,
    ok,
    rectify_at,
    settled,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def after_collection(tmp_path: Path) -> Iterator[RectifyProcess]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "campaign.toml").write_text('units = ["甲分局", "乙分局", "丙分局"]\n',
                                        encoding="utf-8")
    up = rectify_at(data, "2023-03-15T09:00:00+08:00")
    yield up
    up.stop()


def report(up: RectifyProcess, unit: str, channel: str, *extra: str) -> str:
    return ok(up, "report", "--unit", unit, "--channel", channel, "--category", "procedure",
              "--problem", "处罚前未告知陈述申辩权利", "--case", "某餐馆油烟案", *extra)


def test_verifying_ones_own_fix_or_closing_before_answering_the_public_is_refused(
        after_collection: RectifyProcess) -> None:
    up = after_collection
    problem = report(up, "甲分局", "website", "--reporter-name", "刘女士", "--as", "网站受理")
    ok(up, "assign", problem, "--leader", UNIT_HEAD, "--department", "法制股", "--measures",
       "补正程序", "--deadline", "2023-04-10", "--immediate", "--as", SECTION)
    ok(up, "answer", problem, "--message", "已收到，正在核查", "--as", SECTION)
    ok(up, "submit-fix", problem, "--summary", "已补正", "--as", UNIT_HEAD)

    own = up.cli("verify", problem, "--as", UNIT_HEAD)
    assert own.returncode == 1
    assert f"整改结果由 {UNIT_HEAD} 提交，须由其他人验收" in own.stderr
    own_en = up.cli("verify", problem, "--as", UNIT_HEAD, "--lang", "en", "--format", "json")
    assert json.loads(own_en.stdout)["error"]["code"] == "self_verification"
    assert "someone else must verify it" in own_en.stderr

    ok(up, "verify", problem, "--as", CHECKER)
    unanswered = up.cli("close", problem, "--as", SECTION)
    assert unanswered.returncode == 1
    assert "须在验收后答复举报人处理结果（件件有回音），才能销号；此前的答复只是进展答复" \
        in unanswered.stderr

    ok(up, "answer", problem, "--message", "已整改到位，感谢监督", "--as", SECTION)
    wait_for_fact(up, problem, "AnswerDelivered")
    ok(up, "close", problem, "--as", SECTION)
    types = [e["type"] for e in up.cli_json("history", problem)]
    assert types[-4:] == ["FixVerified", "ReporterAnswered", "AnswerDelivered", "ProblemClosed"]
    assert types.count("FixVerified") == 1
    answers = [e["outcome"] for e in up.cli_json("history", problem)
               if e["type"] == "ReporterAnswered"]
    assert answers == [False, True]

    ok(up, "satisfaction", problem, "--level", "不满意", "--note", "程序仍未补正", "--as", SECTION)
    assert up.cli_json("history", problem)[-1]["type"] == "ProblemReopened"


def test_an_enterprise_visit_naming_whom_to_answer_is_answered_and_then_closes(
        after_collection: RectifyProcess) -> None:
    up = after_collection
    problem = report(up, "乙分局", "enterprise_visit", "--reporter-name", "某公司 张经理",
                     "--reporter-phone", "13800138000", "--as", "乙分局 填报人")
    ok(up, "assign", problem, "--leader", UNIT_HEAD, "--department", "法制股", "--measures",
       "补正程序", "--deadline", "2023-04-10", "--immediate", "--as", SECTION)
    ok(up, "submit-fix", problem, "--summary", "已补正", "--as", UNIT_HEAD)
    ok(up, "verify", problem, "--as", CHECKER)
    refused = up.cli("close", problem, "--as", SECTION)
    assert refused.returncode == 1
    assert "问题来自走访企业" in refused.stderr

    ok(up, "answer", problem, "--message", "已整改到位", "--as", SECTION)
    wait_for_fact(up, problem, "AnswerDelivered")
    ok(up, "close", problem, "--as", SECTION)


def test_orders_and_circulars_are_answered_by_number(after_collection: RectifyProcess) -> None:
    up = after_collection
    problem = report(up, "甲分局", "self_inspection", "--as", "甲分局 填报人")
    ok(up, "circular", "--problem", problem, "--reason", "整改推进迟缓", "--due", "2023年3月20日",
       "--as", SECTION)
    ok(up, "respond", "--problem", problem, "--circular", "1", "--response", "已制定整改方案",
       "--as", UNIT_HEAD)
    again = up.cli("respond", "--problem", problem, "--circular", "1", "--response", "再次回复")
    assert again.returncode == 1
    assert "第 1 号通报已经回复过" in again.stderr

    ok(up, "circular", "--unit", "乙分局", "--reason", "自查不深入", "--trigger",
       "查找问题不深入不具体", "--as", SECTION)
    missing = up.cli("respond", "--unit", "乙分局", "--order", "1", "--response", "回复")
    assert missing.returncode == 1
    assert "没有第 1 号督办（共 0 个）" in missing.stderr
    ok(up, "respond", "--unit", "乙分局", "--circular", "1", "--response", "已补充自查")
    both = up.cli("order", "--unit", "乙分局", "--problem", problem, "--reason", "x")
    assert both.returncode == 1

    settled(up, sweeps=1)
    [issued] = [e for e in events_of_type(up, "NoticeIssued") if "problem_id" not in e
                or e["problem_id"] is None]
    [answer] = [e for e in events_of_type(up, "NoticeResponded") if e.get("problem_id") is None]
    assert (issued["number"], issued["reason"], issued["actor"]) == (1, "自查不深入", SECTION)
    assert issued["triggers"] == ["shallow"]
    assert (answer["notice"], answer["number"]) == ("circular", 1)
    history = up.cli_json("history", problem)
    assert [e["type"] for e in history][1:] == ["NoticeIssued", "NoticeResponded"]
    assert history[1]["notice"] == "circular"
    assert history[1]["due"] == "2023-03-20"


def test_the_spot_check_list_puts_a_zero_reporter_with_public_reports_first(
        after_collection: RectifyProcess) -> None:
    up = after_collection
    report(up, "甲分局", "self_inspection", "--as", "甲分局 填报人")
    report(up, "甲分局", "self_inspection", "--as", "甲分局 填报人")
    report(up, "乙分局", "hotline", "--reporter-name", "张先生", "--as", "热线")

    listed = up.cli_json("spot-check", "list")
    assert listed["collection_over"] is True
    assert [(e["rank"], e["unit"]) for e in listed["entries"]] == [(1, "乙分局"), (2, "丙分局")]
    first = listed["entries"][0]
    assert first["zh"] == "自查问题零报告，但群众反映了 1 个问题"
    assert first["en"] == "reported no problems itself, but the public reported 1"
    table = up.cli("spot-check", "list", "--lang", "en")
    assert "reported no problems itself, but the public reported 1" in table.stdout

    ok(up, "spot-check", "select", "乙分局", "--reason", first["zh"], "--as", SECTION)
    twice = up.cli("spot-check", "select", "乙分局", "--reason", "再次")
    assert twice.returncode == 1
    assert "乙分局 已被列入重点抽查" in twice.stderr
    assert up.cli_json("spot-check", "list")["entries"][0]["selected"] is True


def test_a_units_plan_and_mechanism_are_recorded_and_listed(
        after_collection: RectifyProcess) -> None:
    up = after_collection
    ok(up, "plan", "record", "甲分局", "--kind", "整改方案", "--title", "甲分局执法问题整改方案",
       "--adopted-on", "2023-03-12", "--document", "甲环〔2023〕2号", "--content", "程序违法问题",
       "--goals", "4月10日前整改到位", "--measures", "逐案复查", "--schedule", "3月底前复查完毕",
       "--responsible", "法制股 张三", "--as", SECTION)
    ok(up, "mechanism", "甲分局", "--title", "行政处罚案件集体讨论制度", "--kind", "规章制度",
       "--adopted-on", "2023-03-14", "--category", "procedure", "--as", SECTION)
    deadline = time.monotonic() + 120
    while True:  # until the read side has both
        summary = up.cli_json("summary", "--unit", "甲分局")["units"]
        if summary and summary[0]["mechanisms"] and summary[0]["plans"]:
            break
        assert time.monotonic() < deadline, summary
        time.sleep(0.2)
    assert [m["title"] for m in summary[0]["mechanisms"]] == ["行政处罚案件集体讨论制度"]
    assert [p["document"] for p in summary[0]["plans"]] == ["甲环〔2023〕2号"]
    listed = up.cli_json("plan", "list", "--unit", "甲分局")["plans"]
    assert [(p["kind"], p["title"], p["goals"]) for p in listed] == [
        ("rectification_plan", "甲分局执法问题整改方案", "4月10日前整改到位")]


def test_a_random_draw_selects_the_units_its_seed_draws(after_collection: RectifyProcess) -> None:
    up = after_collection
    drawn = up.cli_json("spot-check", "draw", "--count", "2", "--seed", "7", "--as", SECTION)
    expected = random_draw(("甲分局", "乙分局", "丙分局"), 2, 7)
    assert (drawn["ok"], drawn["seed"], drawn["units"]) == (True, 7, expected)
    assert [r["unit"] for r in drawn["selected"]] == expected
    listed = up.cli_json("spot-check", "list")["entries"]
    assert sorted(e["unit"] for e in listed if e["selected"]) == sorted(expected)
    again = up.cli_json("spot-check", "draw", "--count", "3", "--seed", "7", "--as", SECTION)
    assert again["already_selected"] == expected
    assert [r["unit"] for r in again["selected"]] == [
        u for u in ("甲分局", "乙分局", "丙分局") if u not in expected]


def board_when(up: RectifyProcess, ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The board as JSON, once the read side shows what ``ready`` waits for (at most 2 min)."""
    deadline = time.monotonic() + 120
    while not ready(shown := up.cli_json("board")):
        assert time.monotonic() < deadline, shown
        time.sleep(0.2)
    return dict(shown)


def test_a_circular_to_all_units_records_each_read_and_who_still_owes_a_response(
        after_collection: RectifyProcess) -> None:
    up = after_collection
    ok(up, "circular", "--reason", "部分单位自查流于形式", "--trigger", "查找问题不深入不具体",
       "--due", "2023年3月25日", "--responder", "乙分局", "--as", SECTION)
    ok(up, "read", "--unit", "甲分局", "--circular", "1", "--as", "甲分局 填报人")
    twice = up.cli("read", "--unit", "甲分局", "--circular", "1", "--as", "甲分局 填报人")
    assert twice.returncode == 1
    assert "第 1 号通报已标记为已阅" in twice.stderr
    not_owed = up.cli("respond", "--unit", "甲分局", "--circular", "1", "--response", "收到")
    assert not_owed.returncode == 1
    assert "不要求本单位回复" in not_owed.stderr
    stranger = up.cli("circular", "--reason", "通报", "--responder", "丁分局", "--as", SECTION)
    assert stranger.returncode == 1
    assert "不是本次行动的单位：丁分局" in stranger.stderr
    to_all = up.cli("order", "--reason", "全体督办", "--as", SECTION)
    assert to_all.returncode == 1
    assert "只有通报可以发给全体单位" in to_all.stderr

    [owed] = board_when(up, lambda b: bool(b["circulars"]) and bool(b["circulars"][0]["read"]))[
        "circulars"]
    assert (owed["read"], owed["unread"], owed["responders"], owed["owing"]) == (
        ["甲分局"], ["乙分局", "丙分局"], ["乙分局"], ["乙分局"])
    assert (owed["due"], owed["triggers"]) == ("2023-03-25", ["shallow"])

    ok(up, "respond", "--unit", "乙分局", "--circular", "1", "--response", "已组织重新自查",
       "--as", UNIT_HEAD)
    [answered] = board_when(up, lambda b: not b["circulars"][0]["owing"])["circulars"]
    assert (answered["read"], answered["unread"]) == (["甲分局", "乙分局"], ["丙分局"])
    copies = events_of_type(up, "NoticeIssued")
    assert sorted(c["unit"] for c in copies) == ["丙分局", "乙分局", "甲分局"]
    assert len({c["broadcast"] for c in copies}) == 1
    assert [c["unit"] for c in copies if c["response_required"]] == ["乙分局"]
    [seen] = up.cli_json("notices", "--unit", "甲分局")["notices"]
    assert (seen["notice"], seen["number"], seen["response_required"], seen["read_by"]) == (
        "circular", 1, False, "甲分局 填报人")
    assert seen["broadcast"] == copies[0]["broadcast"]


def test_a_proposed_order_is_issued_in_one_step_with_its_trigger(
        after_collection: RectifyProcess) -> None:
    up = after_collection
    report(up, "甲分局", "self_inspection", "--as", "甲分局 填报人")
    ok(up, "campaign", "filed", "甲分局", "ledger", "--as", "甲分局 负责人")
    deadline = time.monotonic() + 120
    while "shallow_ledger:甲分局" not in (
            proposed := {p["key"]: p for p in up.cli_json("proposals", "list")["proposals"]}):
        assert time.monotonic() < deadline, proposed
        time.sleep(0.2)
    shallow = proposed["shallow_ledger:甲分局"]
    assert (shallow["trigger"], shallow["unit"], shallow["problem_id"]) == (
        "shallow", "甲分局", None)

    ok(up, "proposals", "order", "shallow_ledger:甲分局", "--due", "2023-03-25", "--as", SECTION)
    unknown = up.cli("proposals", "order", "shallow_ledger:乙分局", "--as", SECTION)
    assert unknown.returncode == 1
    assert "看板上没有督办建议 shallow_ledger:乙分局" in unknown.stderr

    settled(up, sweeps=1)
    [order] = [e for e in events_of_type(up, "NoticeIssued") if e["unit"] == "甲分局"]
    assert (order["unit"], order["notice"], order["triggers"], order["due"]) == (
        "甲分局", "order", ["shallow"], "2023-03-25")
    assert order["reason"] == shallow["reason"]
    while "shallow_ledger:甲分局" in {p["key"] for p in
                                      up.cli_json("proposals", "list")["proposals"]}:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_a_spot_check_records_method_findings_and_result_and_files_its_findings(
        after_collection: RectifyProcess) -> None:
    up = after_collection
    ok(up, "spot-check", "select", "丙分局", "--reason", "自查问题零报告", "--as", SECTION)
    uncategorized = up.cli("spot-check", "record", "丙分局", "--method", "评查案卷",
                           "--findings", "案卷不全", "--result", "自查不深入、整改不到位",
                           "--problem", "案卷不全", "--as", SECTION)
    assert uncategorized.returncode == 1
    assert "须用 --category 指明类别" in uncategorized.stderr
    ok(up, "spot-check", "record", "丙分局", "--method", "听取汇报", "--method", "评查案卷",
       "--findings", "抽查案卷20卷，3卷未告知陈述申辩权利", "--result", "自查不深入、整改不到位",
       "--conclusion", "须重新自查", "--problem", "3卷行政处罚案卷未告知陈述申辩权利",
       "--category", "procedure", "--as", SECTION)

    deadline = time.monotonic() + 120
    while not (found := up.cli_json("spot-check", "results", "--unit", "丙分局")["spot_checks"]):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    [check] = found
    assert (check["methods"], check["result"], check["conclusion"]) == (
        ["briefing", "case_file_review"], "unsatisfactory", "须重新自查")
    [filed] = check["problems"]
    [reported] = up.cli_json("history", filed)[:1]
    assert (reported["type"], reported["channel"], reported["unit"], reported["problem"]) == (
        "ProblemReported", "spot_check", "丙分局", "3卷行政处罚案卷未告知陈述申辩权利")
