"""The summary (总结) equals what a plain walk over the event log computes, figure for figure."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from statistics import fmean
from typing import Any

from openpyxl import load_workbook

from events.base import ProblemEventBase
from events.notices import NoticeIssued
from events.recorded import RecordedEvent
from events.vocabulary import Category, Channel, Notice
from projections.exports.ledger_files import written_date
from projections.exports.summary_export import to_json, to_markdown, to_xlsx
from projections.models.summary import read_summary
from tests.projections.stories import day, random_history
from tests.projections.streams import applied

CHINA = timezone(timedelta(hours=8))
# Written out here rather than taken from events.status: the check must not share the code.
STATUS_AFTER = {
    "ProblemReported": "reported", "ProblemTriaged": "triaged",
    "ProblemLinkedAsDuplicate": "duplicate", "ProblemDeclined": "declined",
    "RectificationAssigned": "rectifying", "FixSubmitted": "fix_submitted",
    "FixVerified": "verified", "FixSentBack": "rectifying", "ProblemClosed": "closed",
    "ProblemReopened": "rectifying",
}
PUBLIC = {"website", "wechat", "hotline", "mailbox"}


@dataclass
class Walked:
    unit: str = ""
    category: str = ""
    channel: str = ""
    status: str = ""
    since: datetime | None = None
    deadline: date | None = None
    closed_at: datetime | None = None
    answered: bool = False
    reopened: bool = False
    satisfaction: str | None = None
    problem: str = ""
    cause: str | None = None
    typical_reasons: list[str] | None = None
    rebound: bool = False
    problem_id: str = ""
    stays: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def walk(events: Sequence[RecordedEvent]) -> tuple[dict[str, Walked], Counter[tuple[str, str]]]:
    """Every problem's facts, and the orders and circulars per unit, straight from the log."""
    problems: dict[str, Walked] = {}
    notices: Counter[tuple[str, str]] = Counter()
    for event in events:
        data: dict[str, Any] = json.loads(event.model_dump_json())
        kind = data["type"]
        if kind == "NoticeIssued" and not data["broadcast"]:
            notices[data["unit"], data["notice"]] += 1
        if not isinstance(event, ProblemEventBase):
            continue
        at = datetime.fromisoformat(data["occurred_at"])
        p = problems.setdefault(data["problem_id"], Walked(problem_id=data["problem_id"]))
        if kind == "ProblemReported":
            p.unit, p.category, p.channel = data["unit"], data["category"], data["channel"]
            p.problem = data["problem"]
        elif kind == "ProblemTriaged":
            p.category, p.cause = data["category"], data.get("cause")
            p.typical_reasons = data["typical_reasons"] if data["typical"] else None
        elif kind == "ReboundSuspected":
            p.rebound = True
        elif kind in ("RectificationAssigned", "DeadlineExtended"):
            p.deadline = date.fromisoformat(data["deadline"])
        elif kind == "ReporterAnswered":
            p.answered = True
        elif kind == "ProblemReopened":
            p.reopened = True
        elif kind == "SatisfactionRecorded":
            p.satisfaction = data["satisfaction"]
        if kind in STATUS_AFTER:
            if p.since is not None:
                p.stays[p.status] += int((at - p.since).total_seconds())
            p.status, p.since = STATUS_AFTER[kind], at
            p.closed_at = at if kind == "ProblemClosed" else None
    return problems, notices


def mechanisms_in(events: Sequence[RecordedEvent]) -> list[dict[str, Any]]:
    """Every mechanism adopted, in the order recorded, as the summary's JSON lists it."""
    return [{"unit": d["unit"], "title": d["title"], "kind": d["kind"],
             "adopted_on": d["adopted_on"], "document": d["document"] or "",
             "problems": d["problems"], "categories": d["categories"]}
            for d in (json.loads(e.model_dump_json()) for e in events)
            if d["type"] == "MechanismAdopted"]


def plans_in(events: Sequence[RecordedEvent]) -> list[dict[str, Any]]:
    """Each unit's latest plan of each kind, in the order last filed, with its revisions."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for data in (json.loads(e.model_dump_json()) for e in events):
        if data["type"] == "PlanFiled":
            key = (data["unit"], data["kind"])
            revisions = latest.pop(key)["revisions"] + 1 if key in latest else 1
            latest[key] = {"unit": data["unit"], "kind": data["kind"], "title": data["title"],
                           "adopted_on": data["adopted_on"], "document": data["document"] or "",
                           **{k: data[k] for k in ("content", "goals", "measures", "schedule",
                                                   "responsible")},
                           "revisions": revisions}
    return list(latest.values())


def causes_of(problems: list[Walked]) -> list[dict[str, Any]]:
    counted = Counter((p.category, p.cause) for p in problems if p.cause)
    order = [c.value for c in Category]
    return [{"category": category, "cause": cause, "count": n}
            for (category, cause), n in sorted(counted.items(), key=lambda item: (
                order.index(item[0][0]), -item[1], item[0][1]))]


def without_text(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The summary's lists less their wording for people (checked in the markdown test)."""
    return [{k: v for k, v in item.items() if k != "text"} for item in items]


def expected(problems: list[Walked], notices: Counter[tuple[str, str]], units: set[str],
             today: date, mechanisms: list[dict[str, Any]],
             plans: list[dict[str, Any]]) -> dict[str, Any]:
    def on_time(p: Walked) -> bool:
        assert p.closed_at is not None
        return p.deadline is None or p.closed_at.astimezone(CHINA).date() <= p.deadline

    closed = [p for p in problems if p.status == "closed"]
    public = [p for p in problems if p.channel in PUBLIC]
    stage_days = {}
    for stage in ("reported", "triaged", "rectifying", "fix_submitted", "verified"):
        stays = [p.stays[stage] for p in problems if stage in p.stays]
        if stays:
            stage_days[stage] = round(fmean(stays) / 86_400, 2)
    return {
        "reported": len(problems),
        "to_rectify": sum(p.status not in ("declined", "duplicate") for p in problems),
        "closed": len(closed),
        "closed_on_time": sum(on_time(p) for p in closed),
        # Overdue only while rectifying: a fix handed in waits on the section, not the unit.
        "overdue": sum(p.status == "rectifying" and p.deadline is not None
                       and p.deadline < today for p in problems),
        "reopened": sum(p.reopened for p in problems),
        "orders": sum(n for (unit, kind), n in notices.items() if kind == "order" and
                      unit in units),
        "circulars": sum(n for (unit, kind), n in notices.items() if kind == "circular" and
                         unit in units),
        "public_reports": len(public),
        "answered": sum(p.answered for p in public),
        **{level: sum(p.satisfaction == level for p in problems)
           for level in ("satisfied", "basically_satisfied", "dissatisfied")},
        "rebounds": sum(p.rebound for p in problems),
        "by_category": {c.value: sum(p.category == c.value for p in problems) for c in Category},
        "by_channel": {c.value: sum(p.channel == c.value for p in problems) for c in Channel},
        "stage_days": stage_days,
        "causes": causes_of(problems),
        "typical_cases": [{"problem_id": p.problem_id, "unit": p.unit, "problem": p.problem,
                           "reasons": p.typical_reasons, "status": p.status}
                          for p in problems if p.typical_reasons is not None],
        "mechanisms": [m for m in mechanisms if m["unit"] in units],
        "plans": [p for p in plans if p["unit"] in units],
    }


def test_the_summary_equals_a_plain_walk_over_the_event_log(
    tmp_path: Path
) -> None:
    events = random_history(random.Random(0), 1_500)
    assert {"NoticeIssued", "NoticeResponded", "ProblemReopened",
            "ReporterAnswered", "SatisfactionRecorded", "MechanismAdopted",
            "ReboundSuspected", "PlanFiled"} <= {e.type for e in events}
    assert {(e.notice, e.problem_id is None) for e in events if isinstance(e, NoticeIssued)} == {
        (notice, unit_wide) for notice in Notice for unit_wide in (True, False)}
    assert any(getattr(e, "typical_reasons", ()) for e in events)
    assert any(getattr(e, "cause", None) for e in events)
    store = applied(events, tmp_path / "r.db")
    today = day(120).date()

    document = json.loads(to_json(read_summary(store, today)))
    for line in (document["campaign"], *document["units"]):
        for name in ("causes", "typical_cases", "mechanisms"):
            line[name] = without_text(line[name])

    problems, notices = walk(events)
    mechanisms, plans = mechanisms_in(events), plans_in(events)
    units = {p.unit for p in problems.values()} | {unit for unit, _ in notices} | {
        m["unit"] for m in (*mechanisms, *plans)}
    assert document["campaign"] == {"unit": None, **expected(
        list(problems.values()), notices, units, today, mechanisms, plans)}
    assert {u["unit"] for u in document["units"]} == units
    for line in document["units"]:
        own = [p for p in problems.values() if p.unit == line["unit"]]
        assert line == {"unit": line["unit"], **expected(own, notices, {line["unit"]}, today,
                                                         mechanisms, plans)}


def test_one_units_summary_reads_the_same_in_markdown_and_in_the_workbook(
    tmp_path: Path
) -> None:
    events = random_history(random.Random(9), 400)
    store = applied(events, tmp_path / "r.db")
    unit = next(e.unit for e in events if e.type == "ProblemReported")

    figures = read_summary(store, day(60).date(), unit)

    assert [u.unit for u in figures.units] == [unit]
    assert figures.campaign is None
    mine = figures.units[0]
    markdown = to_markdown(figures)
    assert f"| {unit} | {mine.reported} | {mine.to_rectify} | {mine.closed} |" in markdown
    sheets = load_workbook(BytesIO(to_xlsx(figures)))
    assert sheets.sheetnames == ["总体情况", "按问题类别", "按问题来源", "各环节平均用时（天）",
                                 "问题成因（按类别）", "典型案例", "建章立制", "整改方案、工作方案"]
    first = sheets["总体情况"]
    assert first["A1"].value == "行政执法突出问题专项整治工作总结（数据）：总体情况"
    assert first["A2"].value == f"单位：{unit}    截至：{written_date(day(60).date())}"
    assert [c.value for c in first[3]][:4] == ["单位", "问题总数", "应整改", "已销号"]
    assert [c.value for c in first[4]][:4] == [unit, mine.reported, mine.to_rectify, mine.closed]
    for sheet in sheets.worksheets:
        assert sheet.print_title_rows == "$1:$3"
        assert sheet["A2"].value.startswith(f"单位：{unit}")
        assert sheet.page_setup.fitToWidth == 1
    assert to_xlsx(figures) == to_xlsx(figures)
    assert read_summary(store, day(60).date(), "没有这个单位").units == ()
