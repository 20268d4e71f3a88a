"""报送日历: what each unit owes and when, and the unit leader's signed filing."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from events.commands import SubmitFiling
from events.vocabulary import Filing, Notice, Via
from services.console import views
from services.console.context import today
from services.console.waiting import until
from services.console.web import Web, say_refused


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    @router.get("/calendar")
    async def calendar(request: Request) -> Response:
        session, staff, allowed = await web.reader(request, "calendar")
        duties = await console.read(views.calendar, today(), allowed)
        filing_units = sorted(u for u in staff.units("unit_leader") if u is not None)
        return web.page(request, "calendar.html", session, staff, duties=duties,
                        filing_units=filing_units, today=today(), Notice=Notice)

    @router.post("/units/file")
    async def file_ledger(request: Request) -> Response:
        """单位负责人 signs and sends the unit's ledger filing (the same command as the CLI's)."""
        session, staff, form, unit_name = await web.unit_form(request, "unit.file")
        try:
            command = SubmitFiling(unit=unit_name, actor=staff.name, via=Via.WEB,
                                   filing=Filing(str(form.get("filing") or "ledger")),
                                   phone=str(form.get("phone") or "").strip() or None)
        except ValueError as invalid:
            session.notice.append(("error", f"填写有误：{invalid}", f"invalid input: {invalid}"))
            return RedirectResponse("/calendar", status_code=303)
        assert session.token is not None
        before = await console.read(views.filed_at, unit_name, command.filing)
        reply = await console.backend.unit_command(session.token, command)
        if reply.get("ok"):
            async def shown() -> bool:
                return bool(before != await console.read(views.filed_at, unit_name,
                                                         command.filing))

            await until(shown)
            session.notice.append(("ok", "已报送", "filed"))
        else:
            say_refused(session, reply)
        return RedirectResponse("/calendar", status_code=303)

    return router
