"""What the supervising section watches: one's own accountability trail, the spot-check list
(and selecting a unit for a check), and the supervision board."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from events.commands import SelectForSpotCheck
from events.vocabulary import Via
from projections.models.board import read_board
from projections.models.extensions import read_extension_requests
from projections.models.trail import accountability, actions_of
from services.cli.describe import event_label
from services.console.access import readable_units
from services.console.context import today
from services.console.web import Web, say_refused


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    @router.get("/trail")
    async def trail(request: Request) -> Response:
        """One's own accountability trail: what one did, and the figures of what one answers
        for (as the leader named in assignments, and one's units)."""
        session, staff = await web.signed_in(request)
        actions = await console.read(actions_of, staff.name)
        by_leader = await console.read(accountability, "leader", today())
        units = {u for u in staff.units("unit_leader", "unit_staff") if u is not None}
        by_unit = await console.read(accountability, "unit", today()) if units else []
        figures = [a for a in by_leader if a.who == staff.name]
        figures += [a for a in by_unit if a.who in units]
        return web.page(request, "trail.html", session, staff, actions=list(reversed(actions)),
                        figures=figures, event_label=event_label)

    @router.get("/spot-checks")
    async def spot_checks(request: Request) -> Response:
        session, staff = await web.signed_in(request)
        if readable_units(staff) is not None:
            await web.forbidden(request, staff, "spot-check list")
        answer = await console.backend.spot_checks()
        if not answer.get("ok"):
            error = answer.get("error") or {}
            session.notice.append(("error", str(error.get("zh", "暂时无法取得抽查名单")),
                                   str(error.get("en", "the list is not available"))))
        return web.page(request, "spot_checks.html", session, staff,
                        entries=answer.get("entries", []), answer=answer)

    @router.post("/spot-checks")
    async def select_for_spot_check(request: Request) -> Response:
        session, staff, form, unit_name = await web.unit_form(request, "unit.spot-check")
        try:
            command = SelectForSpotCheck(unit=unit_name, actor=staff.name, via=Via.WEB,
                                         reason=str(form.get("reason") or "").strip())
        except ValidationError:
            session.notice.append(("error", "请填写抽查理由", "state the reason for the check"))
            return RedirectResponse("/spot-checks", status_code=303)
        assert session.token is not None
        reply = await console.backend.unit_command(session.token, command)
        if reply.get("ok"):
            session.notice.append(("ok", f"已将{unit_name}列入重点抽查",
                                   f"{unit_name} selected for a spot check"))
        else:
            say_refused(session, reply)
        return RedirectResponse("/spot-checks", status_code=303)

    @router.get("/board")
    async def board(request: Request) -> Response:
        session, staff, allowed = await web.reader(request, "board")
        shown = await console.read(read_board, today())
        extensions = await console.read(read_extension_requests, allowed, None, True)
        return web.page(request, "board.html", session, staff, board=shown, allowed=allowed,
                        extensions=extensions)

    return router
