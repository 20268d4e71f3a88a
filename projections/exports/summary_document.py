"""The summary as an official document (专项整治工作总结): a Word draft from a template.

The figures are those of ``rectify summary --format json`` (the template receives that very
record as ``summary`` and ``figures``), worded and tabled as a unit or the bureau submits
them; beside them the ledger's open problems with owner and deadline, the orders and circulars
answered, and what was fixed on the spot. The template is a .docx with docxtpl fields
(see the README's list); a bureau may replace it with its own letterhead without touching
code. It is rendered sandboxed, escaped, and with unknown fields refused, so a mistyped field
is an error rather than a blank in the draft.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from events.vocabulary import Category, Channel, Notice, Plan, PlanKind, ProblemStatus
from projections.exports.ledger_files import written_date
from projections.exports.outgoing import ExportError, checked_package, printable_all
from projections.exports.summary_export import FIGURES, to_json
from projections.exports.workbook import stable_zip
from projections.models.ledger import UnitLedger
from projections.models.stats import NOT_TO_RECTIFY
from projections.models.summary import Summary
from projections.models.supervision import NoticeLine

DEFAULT_TEMPLATE = Path(str(files("projections.exports.templates") / "summary.docx"))
TITLE = "行政执法突出问题专项整治工作总结"
NARRATIVES = ("typical_cases", "causes", "mechanisms")
"""Lists of text a summary record may carry (from the casework's summary content)."""
_DONE = NOT_TO_RECTIFY | {ProblemStatus.CLOSED}


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def _counted(counts: dict[str, int], label: Any) -> list[dict[str, object]]:
    """Every category (or channel) the record lists, zeros included, as the notice lists them."""
    return [{"label": label(code), "count": n} for code, n in counts.items()]


def _phrase(rows: list[dict[str, object]], quoted: bool = False) -> str:
    """Those that occur: 走访企业2个、自查3个; a category's long name quoted: “…”问题9个."""
    return "、".join(f"“{row['label']}”问题{row['count']}个" if quoted
                    else f"{row['label']}{row['count']}个" for row in rows if row["count"]) or "无"


def _lines(value: object) -> list[str]:
    """A narrative field as lines of text, whatever shape the record gives it."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if "text" in value:  # the summary's own wording of a cause, case or mechanism
            return [str(value["text"])]
        return ["：".join(str(v) for v in value.values() if v not in (None, ""))]
    if isinstance(value, list):
        return [line for item in value for line in _lines(item)]
    return [str(value)]


def _plans(ledgers: Sequence[UnitLedger]) -> dict[str, int]:
    rows = [row for ledger in ledgers for row in ledger.rows]
    return {"immediate": sum(row.plan is Plan.IMMEDIATE for row in rows),
            "roadmap_open": sum(row.plan is Plan.ROADMAP and row.status not in _DONE
                                for row in rows)}


def _notices(notices: Sequence[NoticeLine], summary: Summary) -> dict[str, object]:
    late = sum(line.late(summary.today) for line in notices)
    return {
        "orders_answered": sum(n.notice is Notice.ORDER and n.responded_at is not None
                               for n in notices),
        "circulars_answered": sum(n.notice is Notice.CIRCULAR and n.responded_at is not None
                                  for n in notices),
        "late": late, "late_text": f"，逾期未回复{late}件" if late else ""}


def _open_items(ledgers: Sequence[UnitLedger]) -> list[dict[str, object]]:
    rows = [row for ledger in ledgers for row in ledger.rows if row.status not in _DONE]
    return [{"no": n, "unit": row.unit, "problem": row.problem, "department": row.department,
             "leader": row.leader, "deadline": written_date(row.deadline) if row.deadline else "",
             "remarks": row.remarks} for n, row in enumerate(rows, start=1)]


def document_context(summary: Summary, ledgers: Sequence[UnitLedger],
                     notices: Sequence[NoticeLine], issuer: str = "") -> dict[str, object]:
    """Every field the template may use (the README lists them)."""
    document = json.loads(to_json(summary))
    figures = document["campaign"] or (document["units"] or [{}])[0]
    unit = "" if summary.campaign else str(figures.get("unit") or "")
    categories = _counted(figures.get("by_category", {}), lambda c: Category(c).label())
    channels = _counted(figures.get("by_channel", {}), lambda c: Channel(c).label())
    return {
        "summary": document, "figures": figures,
        "title": f"{issuer or unit}{TITLE}", "who": issuer or unit or "本局",
        "issuer": issuer or unit or "（落款单位）",
        "as_of": written_date(summary.today), "signed_on": written_date(summary.today),
        "categories": categories, "channels": channels,
        "categories_text": _phrase(categories, quoted=True), "channels_text": _phrase(channels),
        "figures_table": [{"label": zh, "value": figures.get(key, 0)} for key, zh, _ in FIGURES],
        "units": document["units"] if summary.campaign else [],
        "closure_rate": _rate(figures.get("closed", 0), figures.get("to_rectify", 0)),
        "on_time_rate": _rate(figures.get("closed_on_time", 0), figures.get("closed", 0)),
        "plans": _plans(ledgers), "notices": _notices(notices, summary),
        "open_items": _open_items(ledgers),
        "rectification_plans": [
            f"{p['unit']}{PlanKind(p['kind']).label()}《{p['title']}》"
            + (f"（{p['document']}）" if p.get("document") else "")
            for p in figures.get("plans", [])],
        **{name: _lines(figures.get(name)) for name in NARRATIVES},
    }


def to_docx(context: dict[str, object], template: Path = DEFAULT_TEMPLATE) -> bytes:
    """The document from ``template``; ``ExportError`` when the template cannot be used."""
    environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    try:
        document = DocxTemplate(io.BytesIO(template.read_bytes()))
        document.render(printable_all(context), environment, autoescape=True)
        out = io.BytesIO()
        document.save(out)
    except (OSError, zipfile.BadZipFile, KeyError, TemplateError) as failure:
        raise ExportError(f"模板 {template}：{failure}") from failure
    return checked_package(stable_zip(out.getvalue()), "总结 docx")
