"""The reading pages chosen by unit and, where the read models can be replayed, by day: the
ledger (台账, and its xlsx), the statistics, the summary (总结, with its xlsx and docx) and the
plans (整改方案、工作方案)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from events.vocabulary import Channel, Language
from projections.engine.store import ReadStore
from projections.exports.ledger_files import export
from projections.exports.summary_document import document_context, to_docx
from projections.exports.summary_export import sections, to_xlsx
from projections.models.facts import CHINA_TIME
from projections.models.ledger import read_ledger
from projections.models.plans import read_plans
from projections.models.stats import Statistics, read_stats
from projections.models.summary import Summary, read_summary
from projections.models.supervision import read_notices
from services.cli.dates import parse_date
from services.cli.summary import SUMMARY_MODELS
from services.console.access import readable_units
from services.console.backend import Staff
from services.console.charts import Bar, bars, percent
from services.console.context import today
from services.console.pages import language
from services.console.web import Web, not_found


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    async def chosen_unit(request: Request, staff: Staff, unit: str | None,
                          what: str) -> str | None:
        """The unit asked for, if the person may read it; None (every unit) only for those
        who read every unit; one's only unit when none is asked for."""
        unit = (unit or "").strip() or None
        allowed = readable_units(staff)
        if allowed is not None:
            if unit is not None and unit not in allowed:
                await web.forbidden(request, staff, f"{what} {unit}")
            if unit is None and len(allowed) == 1:
                unit = next(iter(allowed))
            if unit is None:
                await web.forbidden(request, staff, f"{what} of every unit")
        return unit

    async def as_asked(request: Request, reader: Callable[..., Any], names: Sequence[str],
                       *args: Any) -> tuple[Any, date | None]:
        """``reader(store, day, *args)`` now, or at the end of the day ``?as_of=`` names (the
        read models ``names`` replayed from EVENTS up to then); and that day, if one."""
        day = _as_of_day(request.query_params.get("as_of"))
        if day is None or console.as_of is None:
            return await console.read(reader, today(), *args), None
        store = await console.as_of(datetime.combine(day + timedelta(days=1), time_of_day(),
                                                     CHINA_TIME) - timedelta(microseconds=1),
                                    names)
        try:
            return await asyncio.to_thread(reader, store, day, *args), day
        finally:
            store.close()

    async def _ledgers(request: Request, staff: Staff, unit: str | None
                       ) -> tuple[list[Any], str | None, date | None]:
        unit = await chosen_unit(request, staff, unit, "ledger")
        ledgers, day = await as_asked(request, read_ledger, LEDGER_MODELS, unit or None)
        return ledgers, unit, day

    @router.get("/ledger")
    async def ledger(request: Request, unit: str | None = None) -> Response:
        session, staff = await web.signed_in(request)
        ledgers, chosen, as_of = await _ledgers(request, staff, unit)
        allowed = readable_units(staff)
        return web.page(request, "ledger.html", session, staff, ledgers=ledgers, chosen=chosen,
                        units=sorted(allowed or []), choose=allowed is None or len(allowed) > 1,
                        as_of=as_of)

    @router.get("/ledger.xlsx")
    async def ledger_xlsx(request: Request, unit: str | None = None) -> Response:
        _, staff = await web.signed_in(request)
        ledgers, chosen, as_of = await _ledgers(request, staff, unit)
        content = await asyncio.to_thread(export, ledgers, "xlsx")
        name = f"整改台账-{chosen or '全部'}-{(as_of or today()).isoformat()}.xlsx"
        return Response(
            content,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
                "Cache-Control": "no-store",
            },
        )

    @router.get("/stats")
    async def stats(request: Request) -> Response:
        session, staff = await web.signed_in(request)
        allowed = readable_units(staff)
        if allowed is not None:
            await web.forbidden(request, staff, "stats of every unit")
        figures: Statistics = await console.read(read_stats, today())
        lang = language(request)
        units = sorted(figures.units, key=lambda u: u.unit)
        by_channel: dict[Channel, int] = {}
        for cell in figures.cells:
            by_channel[cell.channel] = by_channel.get(cell.channel, 0) + cell.count
        zh = lang == "zh"
        charts = [(title, bars(title, rows, colour, top)) for title, rows, colour, top in (
            ("整改完成率（按单位）" if zh else "Closure rate by unit",
             [Bar(u.unit, u.closure_rate or 0, percent(u.closure_rate)) for u in units],
             "#9b1c1c", 1.0),
            ("按期完成率（按单位）" if zh else "On-time rate by unit",
             [Bar(u.unit, u.on_time_rate or 0, percent(u.on_time_rate)) for u in units],
             "#175cd3", 1.0),
            ("逾期未完成（按单位）" if zh else "Overdue by unit",
             [Bar(u.unit, u.overdue, str(u.overdue)) for u in units], "#b42318", None),
            ("问题来源（按渠道）" if zh else "Reports by channel",
             [Bar(c.label("zh" if zh else "en"), n, str(n))
              for c, n in sorted(by_channel.items(), key=lambda item: -item[1])],
             "#475467", None),
        )]
        return web.page(request, "stats.html", session, staff, figures=figures, units=units,
                        charts=charts, percent=percent)

    @router.get("/summary")
    async def summary(request: Request, unit: str | None = None) -> Response:
        """总结: the figures of ``rectify summary``, with its xlsx and docx."""
        session, staff = await web.signed_in(request)
        chosen = await chosen_unit(request, staff, unit, "summary")
        figures: Summary
        figures, as_of = await as_asked(request, read_summary, SUMMARY_MODELS, chosen)
        allowed = readable_units(staff)
        return web.page(request, "summary.html", session, staff, figures=figures, chosen=chosen,
                        sections=sections(figures, "en" if language(request) == "en" else "zh"),
                        units=sorted(allowed or []), choose=allowed is None or len(allowed) > 1,
                        as_of=as_of)

    @router.get("/summary.{kind}")
    async def summary_file(request: Request, kind: str, unit: str | None = None) -> Response:
        _, staff = await web.signed_in(request)
        if kind not in SUMMARY_FILES:
            raise not_found()
        chosen = await chosen_unit(request, staff, unit, "summary")
        lang: Language = "en" if language(request) == "en" else "zh"
        content, as_of = await as_asked(request, _summary_file, SUMMARY_MODELS, chosen, kind,
                                        lang, console.summary_template)
        name = (f"{'总结' if lang == 'zh' else 'summary'}-{chosen or '全部单位'}-"
                f"{as_of or today()}.{kind}")
        return Response(content, media_type=SUMMARY_FILES[kind], headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store"})

    @router.get("/plans")
    async def plans(request: Request, unit: str | None = None) -> Response:
        """整改方案、工作方案: each unit's plans with the parts the notice names."""
        session, staff = await web.signed_in(request)
        chosen = await chosen_unit(request, staff, unit, "plans")
        allowed = readable_units(staff)
        return web.page(request, "plans.html", session, staff,
                        plans=await console.read(read_plans, chosen), chosen=chosen,
                        units=sorted(allowed or []), choose=allowed is None or len(allowed) > 1)

    return router


LEDGER_MODELS = ("ledger", "supervision")
"""What the ledger reads: the read models an as-of ledger rebuilds."""
SUMMARY_FILES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _summary_file(store: ReadStore, day: date, unit: str | None, kind: str, lang: Language,
                  template: Path) -> bytes:
    """The summary as ``rectify summary --format xlsx|docx`` writes it."""
    figures = read_summary(store, day, unit)
    if kind == "xlsx":
        return to_xlsx(figures, lang)
    context = document_context(figures, read_ledger(store, day, unit),
                               read_notices(store, unit), "")
    return to_docx(context, template)


def _as_of_day(text: str | None) -> date | None:
    """The day a ledger is asked as of, as people write it; a wrong date is a 404-free
    plain 'today' (the page says which day it shows)."""
    if not text or not text.strip():
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None
