"""导入自查整改台账: a unit's filled-in template uploaded, previewed (what would be filed), then
confirmed and filed through the intake gateway."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from events.subjects import HEADER_SESSION
from events.vocabulary import Filing
from services.clock import system_clock
from services.console import views
from services.console.access import may, units_for
from services.console.backend import Staff
from services.console.browser import BrowserSession
from services.console.imports import MAX_LEDGER_BYTES, UploadRefusedError, accepted, planned
from services.console.waiting import until
from services.console.web import Web
from services.intake.ledger_import import ImportFailedError, file_import


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    async def import_form(request: Request, session: BrowserSession, staff: Staff,
                          **preview: Any) -> Response:
        units = units_for(staff, "intake.import")
        if units == [] or console.intake_keys is None:
            await web.forbidden(request, staff, "intake.import")
        return web.page(request, "import.html", session, staff, units=units,
                        max_mb=MAX_LEDGER_BYTES // (1024 * 1024), **preview)

    @router.get("/import")
    async def import_page(request: Request) -> Response:
        """导入自查整改台账: upload the filled template, see what would be filed, confirm."""
        session, staff = await web.signed_in(request)
        return await import_form(request, session, staff)

    @router.post("/import")
    async def import_preview(request: Request) -> Response:
        session, staff = await web.signed_in(request)
        form = await web.checked_form(request, session)
        unit_name = str(form.get("unit") or "").strip()
        if not may(staff, "intake.import", unit_name):
            await web.forbidden(request, staff, f"intake.import {unit_name}")
        file, name, content = form.get("ledger"), "", b""
        if isinstance(file, UploadFile):
            name, content = file.filename or "", await file.read(MAX_LEDGER_BYTES + 1)
        try:
            upload = accepted(unit_name, name, content)
        except UploadRefusedError as refused:
            session.notice.append(("error", refused.zh, refused.en))
            return RedirectResponse("/import", status_code=303)
        plan, rows = await asyncio.to_thread(planned, upload, staff.name, system_clock())
        on_record = {r.problem_id for r in rows
                     if await console.read(views.unit_of, r.problem_id) is not None}
        session.upload = None if plan.refusals else upload
        return await import_form(request, session, staff, upload=upload, plan=plan, rows=rows,
                                 on_record=on_record)

    @router.post("/import/confirm")
    async def import_confirm(request: Request) -> Response:
        session, staff = await web.signed_in(request)
        form = await web.checked_form(request, session)
        upload = session.upload
        if upload is None or form.get("sha256") != upload.sha256:
            session.notice.append(("error", "没有待确认的台账，请重新上传",
                                   "no ledger is waiting to be confirmed: upload it again"))
            return RedirectResponse("/import", status_code=303)
        if not may(staff, "intake.import", upload.unit) or console.intake_keys is None:
            await web.forbidden(request, staff, f"intake.import {upload.unit}")
        assert console.intake_keys is not None
        assert session.token is not None
        plan, _ = await asyncio.to_thread(planned, upload, staff.name, system_clock())
        try:
            outcomes = await file_import(console.backend.client, plan, staff.name,
                                         {HEADER_SESSION: session.token})
        except ImportFailedError as failed:
            session.notice.append(("error", failed.zh, failed.en))
            return RedirectResponse("/import", status_code=303)
        session.upload = None

        async def shown() -> bool:
            # The ledger page shows the rows and the filing's header (填报人、电话): wait for both.
            return all([await console.read(views.unit_of, str(o.receipt.problem_id))
                        for o in outcomes]) and (
                await console.read(views.filed_at, upload.unit, Filing.LEDGER) is not None)

        await until(shown)
        new = sum(o.new for o in outcomes)
        proposed = sum(o.proposal == "proposed" for o in outcomes)
        session.notice.append((
            "ok", f"导入完成：新登记 {new} 个问题，已登记过 {len(outcomes) - new} 个；"
                  f"{proposed} 个整改方案（四定）待专项办确认；台账已报送",
            f"imported: {new} new problems, {len(outcomes) - new} already on record; "
            f"{proposed} proposals for the office to confirm; the ledger is filed"))
        return RedirectResponse(f"/ledger?unit={quote(upload.unit)}", status_code=303)

    return router
