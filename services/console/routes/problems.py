"""One problem: its page with the forms its reader may use, each form sent as one staff command
(triage, assignment, progress, fixes with evidence, extensions, plans, verification, closing,
answers…), and the evidence files kept with it."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from events.commands import ProblemCommand
from events.vocabulary import Category, Channel, ProblemStatus, TypicalReason, Via
from projections.models.extensions import RequestState, read_extension_requests
from services.console import views
from services.console.access import may
from services.console.actions import ACTIONS, ActionRefusedError
from services.console.backend import Staff
from services.console.browser import BrowserSession
from services.console.context import today
from services.console.evidence import EvidenceRefusedError, EvidenceStore
from services.console.pages import language
from services.console.pickers import department_choices, leader_choices
from services.console.waiting import version_shown
from services.console.web import Web, not_found, problem_uuid, say_refused


async def problem_page(web: Web, request: Request, session: BrowserSession, staff: Staff,
                       problem_id: str, revealed: dict[str, str] | None = None) -> Response:
    """The problem's page with the forms the person may use (and the reporter, if revealed)."""
    console = web.console
    record = await console.read(views.problem_record, today(), problem_id,
                                console.tracking_key, language(request))
    if record is None:
        raise not_found()
    known_leaders, known_departments = await console.read(views.known_names)
    people = console.people()
    leaders = leader_choices(people, record.line.unit, known_leaders, language(request))
    departments = department_choices(people, record.line.unit, known_departments)
    extensions = await console.read(read_extension_requests, None, problem_id)
    return web.page(request, "problem.html", session, staff, p=record,
                    categories=list(Category), channels=list(Channel), S=ProblemStatus,
                    typical_reasons=list(TypicalReason),
                    leaders=leaders, departments=departments, revealed=revealed,
                    extensions=extensions,
                    pending_extension=next((e for e in extensions
                                        if e.state is RequestState.PENDING), None))


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    @router.get("/problems/{problem_id}")
    async def problem(request: Request, problem_id: str) -> Response:
        session, staff = await web.signed_in(request)
        await web.readable(request, staff, problem_uuid(problem_id))
        return await problem_page(web, request, session, staff, problem_id)

    @router.post("/problems/{problem_id}/{verb}")
    async def act(request: Request, problem_id: str, verb: str) -> Response:
        session, staff = await web.signed_in(request)
        unit_name = await web.readable(request, staff, problem_uuid(problem_id))
        build = ACTIONS.get(verb)
        if build is None:
            raise not_found()
        if not may(staff, f"problem.{verb}", unit_name):
            await web.forbidden(request, staff, f"problem.{verb} {problem_id} ({unit_name})")
        form = await web.checked_form(request, session)
        where = f"/problems/{problem_id}"
        try:
            fields = build(form, await _kept_evidence(form, console.evidence))
            if verb == "extend":
                fields["approved_by"] = staff.name
            command: ProblemCommand = fields.pop("model")(
                problem_id=problem_id, actor=staff.name, via=Via.WEB, **fields
            )
        except ActionRefusedError as refused:
            session.notice.append(("error", refused.zh, refused.en))
            return RedirectResponse(where, status_code=303)
        except EvidenceRefusedError as refused:
            session.notice.append(("error", refused.zh, refused.en))
            return RedirectResponse(where, status_code=303)
        except ValidationError as invalid:
            first = invalid.errors(include_url=False)[0]
            field = ".".join(str(p) for p in first["loc"])
            session.notice.append(
                (
                    "error",
                    f"填写有误：{_FIELD_NAMES.get(field, field)}",
                    f"invalid {field}: {first['msg']}",
                )
            )
            return RedirectResponse(where, status_code=303)
        except ValueError as invalid:
            session.notice.append(("error", f"填写有误：{invalid}", f"invalid input: {invalid}"))
            return RedirectResponse(where, status_code=303)
        assert session.token is not None
        reply = await console.backend.command(session.token, command)
        if not reply.get("ok"):
            say_refused(session, reply)
            return RedirectResponse(where, status_code=303)
        await version_shown(console, problem_id, int(reply["version"]))
        session.notice.append(("ok", "已记录", "recorded"))
        return RedirectResponse(where, status_code=303)

    @router.get("/problems/{problem_id}/evidence/{sha256}")
    async def evidence(request: Request, problem_id: str, sha256: str) -> Response:
        _, staff = await web.signed_in(request)
        await web.readable(request, staff, problem_uuid(problem_id))
        record = await console.read(
            views.problem_record, today(), problem_id, console.tracking_key, "zh"
        )
        found = [e for e in (record.evidence if record else []) if e.sha256 == sha256]
        path = console.evidence.path(sha256)
        if not found or not path.exists():
            raise not_found()
        return FileResponse(
            path,
            media_type=found[0].media_type,
            filename=found[0].name,
            headers={"Cache-Control": "no-store"},
        )

    return router


_FIELD_NAMES = {
    "leader": "责任领导（必填）",
    "department": "责任部门（必填）",
    "measures": "整改措施（必填）",
    "deadline": "整改时限（必填）",
    "note": "进展情况（必填）",
    "summary": "整改情况（必填）",
    "message": "答复内容（必填）",
    "reason": "理由（必填）",
    "duplicate_of": "重复问题编号",
}


async def _kept_evidence(form: FormData, store: EvidenceStore) -> list[str]:
    """Every uploaded file kept (refused as a whole when one is refused); their references."""
    kept = []
    for upload in form.getlist("evidence"):
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        content = await upload.read(store.max_bytes + 1)
        evidence = await asyncio.to_thread(store.keep, upload.filename, content)
        kept.append(evidence.reference())
    return kept
