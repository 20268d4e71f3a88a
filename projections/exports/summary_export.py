"""The summary (总结) as a Markdown report, a workbook, or JSON for scripts.

The Markdown and the workbook are for people (Chinese by default, English on request); JSON
keys and codes are the vocabulary's, the same in either language.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from events.vocabulary import Category, Channel, Language
from projections.exports.ledger_files import written_date
from projections.exports.outgoing import printable, printable_all
from projections.exports.report_sheet import new_workbook, report_sheet, workbook_bytes
from projections.models.plans import PARTS as PLAN_PARTS
from projections.models.summary import STAGES, Summary, UnitSummary

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
    ("rebounds", "疑似反弹", "suspected rebounds"),
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


def sections(summary: Summary, lang: Language) -> list[tuple[str, Table]]:
    """The summary's tables, each with its heading: what md, xlsx and the console show."""
    return [
        (_t(lang, "总体情况", "Figures"), _figure_rows(summary, lang)),
        (_t(lang, "按问题类别", "By category"),
         _breakdown(summary, lang, "by_category", list(Category))),
        (_t(lang, "按问题来源", "By channel"),
         _breakdown(summary, lang, "by_channel", list(Channel))),
        (_t(lang, "各环节平均用时（天）", "Mean days in each stage"), _stage_rows(summary, lang)),
        (_t(lang, "问题成因（按类别）", "Causes by category"), _cause_rows(summary, lang)),
        (_t(lang, "典型案例", "Typical cases"), _typical_rows(summary, lang)),
        (_t(lang, "建章立制", "Mechanisms adopted"), _mechanism_rows(summary, lang)),
        (_t(lang, "整改方案、工作方案", "Plans"), _plan_rows(summary, lang)),
    ]


def _plan_rows(summary: Summary, lang: Language) -> Table:
    header = [_t(lang, "单位", "unit"), _t(lang, "类型", "kind"), _t(lang, "名称", "title"),
              _t(lang, "印发日期", "adopted on"), _t(lang, "文号", "document"),
              _t(lang, "目标要求", "goals"), _t(lang, "进度安排", "schedule"),
              _t(lang, "责任单位和责任人", "responsible")]
    return header, [[p.unit, p.kind.label(lang), p.title, p.adopted_on.isoformat(), p.document,
                     p.goals, p.schedule, p.responsible]
                    for u in _detail_lines(summary) for p in u.plans]


def _detail_lines(summary: Summary) -> list[UnitSummary]:
    """Whose lists to show: the campaign's (every unit's, once) or the one unit's."""
    return [summary.campaign] if summary.campaign else list(summary.units)


def _cause_rows(summary: Summary, lang: Language) -> Table:
    header = [_t(lang, "问题类别", "category"), _t(lang, "成因", "cause"),
              _t(lang, "问题数", "problems")]
    return header, [[c.category.label(lang), c.cause, c.count]
                    for u in _detail_lines(summary) for c in u.causes]


def _typical_rows(summary: Summary, lang: Language) -> Table:
    header = [_t(lang, "单位", "unit"), _t(lang, "问题", "problem"),
              _t(lang, "典型依据", "why typical"), _t(lang, "办理结果", "outcome")]
    return header, [[t.unit, t.problem, "、".join(r.label(lang) for r in t.reasons),
                     t.status.label(lang)] for u in _detail_lines(summary) for t in u.typical_cases]


def _mechanism_rows(summary: Summary, lang: Language) -> Table:
    header = [_t(lang, "单位", "unit"), _t(lang, "制度或机制", "mechanism"),
              _t(lang, "类型", "kind"), _t(lang, "施行日期", "adopted on"),
              _t(lang, "文号", "document"), _t(lang, "针对的问题类别", "categories")]
    return header, [[m.unit, m.title, m.kind.label(lang), m.adopted_on.isoformat(), m.document,
                     "、".join(c.label(lang) for c in m.categories)]
                    for u in _detail_lines(summary) for m in u.mechanisms]


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def to_markdown(summary: Summary, lang: Language = "zh") -> str:
    out = [f"# {_title(lang)}", "", _as_of_line(summary, lang), ""]
    for heading, (header, rows) in sections(summary, lang):
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
        "causes": [{"category": c.category.value, "cause": c.cause, "count": c.count,
                    "text": f"“{c.category.label()}”问题：{c.cause}，{c.count}个"}
                   for c in unit.causes],
        "typical_cases": [{"problem_id": t.problem_id, "unit": t.unit, "problem": t.problem,
                           "reasons": [r.value for r in t.reasons], "status": t.status.value,
                           "text": f"{t.unit}：{t.problem}（{t.status.label()}）"}
                          for t in unit.typical_cases],
        "mechanisms": [{"unit": m.unit, "title": m.title, "kind": m.kind.value,
                        "adopted_on": m.adopted_on.isoformat(), "document": m.document,
                        "problems": list(m.problems),
                        "categories": [c.value for c in m.categories],
                        "text": f"{m.unit}：{m.title}"
                                + (f"（{m.document}）" if m.document else "")}
                       for m in unit.mechanisms],
        "plans": [{"unit": p.unit, "kind": p.kind.value, "title": p.title,
                   "adopted_on": p.adopted_on.isoformat(), "document": p.document,
                   **{part: getattr(p, part) for part in PLAN_PARTS},
                   "revisions": p.revisions} for p in unit.plans],
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


def to_xlsx(summary: Summary, lang: Language = "zh", notice: str = "") -> bytes:
    """One sheet per section, each titled, dated and set up to print one page wide; the same
    summary always gives the same bytes."""
    workbook = new_workbook()
    subtitle = "\n".join(filter(None, (notice, _as_of_line(summary, lang))))
    for heading, (header, rows) in sections(summary, lang):
        report_sheet(workbook, heading, f"{_title(lang)}：{heading}", subtitle, header, rows)
    return workbook_bytes(workbook, summary.today, _t(lang, "总结 xlsx", "summary xlsx"))
