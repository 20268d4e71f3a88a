"""The reporter in clear, for a reporter-data reader who states the purpose (recorded by the
identity service); shown on that one answer only, never kept by the console."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console.access import may
from services.console.routes.problems import problem_page
from services.console.web import Web, problem_uuid


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    @router.post("/problems/{problem_id}/unmask")
    async def unmask(request: Request, problem_id: str) -> Response:
        """The reporter in clear for a reporter-data reader, with the purpose recorded; shown
        on this one answer only (never kept by the console)."""
        session, staff = await web.signed_in(request)
        await web.readable(request, staff, problem_uuid(problem_id))
        if not may(staff, "reporter.unmask"):
            await web.forbidden(request, staff, f"reporter.unmask {problem_id}")
        form = await web.checked_form(request, session)
        assert session.token is not None
        answer = await console.backend.unmask(session.token, problem_id,
                                              str(form.get("purpose") or "").strip())
        if not answer.get("ok"):
            error = answer.get("error") or {}
            session.notice.append(("error", "查看申请无效：请写明用途（至少两个字）",
                                   "invalid request: state the purpose"))
            if error.get("code") != "invalid_request":
                session.notice[-1] = ("error", str(error.get("zh")), str(error.get("en")))
            return RedirectResponse(f"/problems/{problem_id}", status_code=303)
        return await problem_page(web, request, session, staff, problem_id,
                                  revealed=dict(answer["reporter"]))

    return router
