"""The summary (总结) as a Markdown report, a workbook, or JSON for scripts.

The Markdown and the workbook are for people (Chinese by default, English on request); JSON
keys and codes are the vocabulary's, the same in either language.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from events.vocabulary import Category, Channel, Language
from projections.exports import written_date
from projections.outgoing import printable, printable_all
from projections.report_sheet import new_workbook, report_sheet, workbook_bytes
from projections.summary import STAGES, Summary, UnitSummary

Table = tuple[list[str], list[list[str | int | float | None]]]
"""A header and its rows."""

FIGURES: tuple[tuple[str, str, str], ...] = (
    ("reported", "问题总数", "problems"),
    ("to_rectify", "应整改", "to rectify"),
    ("closed", "已销号", "closed"),
    ("closed_on_time", "按期销号", "closed on time"),
    ("overdue", "当前超期", "overdue now"),
    ("reopened", "重新打开", "reopened"),
    ("orders", "督办", "supervision orders"),
    ("circulars", "通报", "circulars"),
    ("public_reports", "群众举报", "public reports"),
    ("answered", "已答复", "answered"),
    ("satisfied", "满意", "satisfied"),
    ("basically_satisfied", "基本满意", "basically satisfied"),
    ("dissatisfied", "不满意", "dissatisfied"),
)


def _t(lang: Language, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _name(unit: UnitSummary, lang: Language) -> str:
    return unit.unit or _t(lang, "全部单位", "all units")


def _lines(summary: Summary) -> list[UnitSummary]:
    return [*summary.units, *([summary.campaign] if summary.campaign else [])]


def _figure_rows(summary: Summary, lang: Language) -> Table:
    header = [_t(lang, "单位", "unit"), *(_t(lang, zh, en) for _, zh, en in FIGURES)]
    rows = [[_name(u, lang), *(getattr(u, key) for key, _, _ in FIGURES)]
            for u in _lines(summary)]
    return header, rows


def _breakdown(summary: Summary, lang: Language, key: str,
               members: Sequence[Category] | Sequence[Channel]) -> Table:
    """One row per category (or channel), zeros included; a column per unit, the campaign first."""
    lines = [*([summary.campaign] if summary.campaign else []), *summary.units]
    header = [_t(lang, "类别", "category") if key == "by_category" else _t(lang, "来源", "channel"),
              *(_name(u, lang) for u in lines)]
    return header, [[m.label(lang), *(getattr(u, key).get(m, 0) for u in lines)]
                    for m in members]


def _stage_rows(summary: Summary, lang: Language) -> Table:
    header = [_t(lang, "单位", "unit"), *(s.label(lang) for s in STAGES)]
    return header, [[_name(u, lang), *(u.stage_days.get(s) for s in STAGES)]
                    for u in _lines(summary)]


def _sections(summary: Summary, lang: Language) -> list[tuple[str, Table]]:
    return [
        (_t(lang, "总体情况", "Figures"), _figure_rows(summary, lang)),
        (_t(lang, "按问题类别", "By category"),
         _breakdown(summary, lang, "by_category", list(Category))),
        (_t(lang, "按问题来源", "By channel"),
         _breakdown(summary, lang, "by_channel", list(Channel))),
        (_t(lang, "各环节平均用时（天）", "Mean days in each stage"), _stage_rows(summary, lang)),
    ]


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def to_markdown(summary: Summary, lang: Language = "zh") -> str:
    out = [f"# {_title(lang)}", "", _as_of_line(summary, lang), ""]
    for heading, (header, rows) in _sections(summary, lang):
        out += [f"## {heading}", "", "| " + " | ".join(header) + " |",
                "|" + "|".join("---" for _ in header) + "|"]
        out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
        out.append("")
    out.append(_t(lang, "注：各环节用时为已离开该环节的问题的平均值；"
                        "应整改不含不予受理和重复问题。",
                  "Stage times average the problems that have left the stage; problems to "
                  "rectify exclude declined reports and duplicates."))
    return printable("\n".join(out) + "\n")


def _record(unit: UnitSummary) -> dict[str, Any]:
    return {
        "unit": unit.unit or None,
        **{key: getattr(unit, key) for key, _, _ in FIGURES},
        "by_category": {c.value: n for c, n in unit.by_category.items()},
        "by_channel": {c.value: n for c, n in unit.by_channel.items()},
        "stage_days": {s.value: d for s, d in unit.stage_days.items()},
    }


def to_json(summary: Summary) -> str:
    document = {"as_of": summary.today.isoformat(),
                "units": [_record(u) for u in summary.units],
                "campaign": _record(summary.campaign) if summary.campaign else None}
    return json.dumps(printable_all(document), ensure_ascii=False, indent=2) + "\n"


def _title(lang: Language) -> str:
    return _t(lang, "行政执法突出问题专项整治工作总结（数据）",
              "Campaign summary: prominent enforcement problems")


def _as_of_line(summary: Summary, lang: Language) -> str:
    unit = summary.units[0].unit if summary.campaign is None and summary.units else ""
    who = unit or _t(lang, "全部单位", "all units")
    when = written_date(summary.today) if lang == "zh" else summary.today.isoformat()
    return _t(lang, f"单位：{who}    截至：{when}", f"Unit: {who}    As of: {when}")


def to_xlsx(summary: Summary, lang: Language = "zh") -> bytes:
    """One sheet per section, each titled, dated and set up to print one page wide; the same
    summary always gives the same bytes."""
    workbook = new_workbook()
    subtitle = _as_of_line(summary, lang)
    for heading, (header, rows) in _sections(summary, lang):
        report_sheet(workbook, heading, f"{_title(lang)}：{heading}", subtitle, header, rows)
    return workbook_bytes(workbook, summary.today, _t(lang, "总结 xlsx", "summary xlsx"))
