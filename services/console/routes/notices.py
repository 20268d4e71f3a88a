"""督办、通报: the list of orders and circulars, and the one form that issues, marks read or
answers them (the commands the CLI sends)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console import views
from services.console.access import may
from services.console.actions import ActionRefusedError
from services.console.context import today
from services.console.notice_forms import NOTICE_FORMS
from services.console.waiting import until
from services.console.web import Web, not_found, say_refused


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    @router.get("/notices")
    async def notices(request: Request) -> Response:
        """督办、通报: one list, whatever the target; a circular to all units with who has read
        it and who still owes a response."""
        session, staff, allowed = await web.reader(request, "notices")
        lines = await console.read(views.notice_list, allowed)
        broadcasts = await console.read(views.broadcast_list) if allowed is None else []
        return web.page(request, "notices.html", session, staff, lines=lines, broadcasts=broadcasts,
                        today=today())

    @router.post("/notices/{verb}")
    async def notice_action(request: Request, verb: str) -> Response:
        """Issue, mark read or answer an order or circular: the same commands as the CLI's."""
        session, staff = await web.signed_in(request)
        form = await web.checked_form(request, session)
        build = NOTICE_FORMS.get(verb)
        if build is None:
            raise not_found()
        back = str(form.get("back") or "/notices")
        back = back if back.startswith("/") and not back.startswith("//") else "/notices"
        try:
            command = build(form, staff.name)
        except ActionRefusedError as refused:
            session.notice.append(("error", refused.zh, refused.en))
            return RedirectResponse(back, status_code=303)
        unit_name = await web.readable(request, staff, str(command.problem_id)) \
            if command.problem_id is not None else command.unit
        if not may(staff, f"notice.{verb}", unit_name):
            await web.forbidden(request, staff, f"notice.{verb} {unit_name or '全体单位'}")
        assert session.token is not None
        before = await console.read(views.notice_list, None)
        reply = await console.backend.notice_command(session.token, command)
        if not reply.get("ok"):
            say_refused(session, reply)
            return RedirectResponse(back, status_code=303)

        async def shown() -> bool:
            return bool(before != await console.read(views.notice_list, None))

        await until(shown)
        session.notice.append(("ok", "已记录", "recorded"))
        return RedirectResponse(back, status_code=303)

    return router
