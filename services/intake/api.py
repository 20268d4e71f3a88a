"""The JSON API: ``POST /api/v1/reports`` to file, ``GET /api/v1/reports/{tracking}`` to follow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from events.identity import staff_intake_id
from events.vocabulary import Category, Channel, Language, ProblemStatus
from services.clock import system_clock
from services.intake.gateway import Gateway, ReportStatus
from services.intake.i18n import FieldReason, language
from services.intake.prepared import NotPreparedError, prepare
from services.intake.reports import STAFF_CHANNELS, ReportIn, to_submission
from services.intake.staff import NotSignedInError, bearer, staff_member
from services.runtime.config import IntakeSettings


class ReceiptOut(BaseModel):
    """The report is stored; this is how to follow it."""

    tracking: str
    problem_id: UUID
    status_url: str
    category: Category
    category_inferred: bool
    message: str


class AnswerOut(BaseModel):
    message: str
    answered_at: datetime


class StatusOut(BaseModel):
    """What a reporter may see of their own report: its status and the answers to it."""

    tracking: str
    status: str
    status_label: str
    answers: list[AnswerOut]


class ErrorOut(BaseModel):
    ok: bool = False
    error: dict[str, str]
    errors: list[dict[str, str]] = []


def status_out(found: ReportStatus, lang: Language) -> StatusOut:
    if found.status is None:
        code = "received"
        label = "已收到，正在登记" if lang == "zh" else "received, being registered"
    else:
        code, label = found.status.value, ProblemStatus(found.status).label(lang)
    return StatusOut(tracking=found.tracking, status=code, status_label=label,
                     answers=[AnswerOut(message=a.message, answered_at=a.answered_at)
                              for a in found.answers])


def error_response(status: int, zh: str, en: str,
                   reasons: Sequence[FieldReason] = ()) -> JSONResponse:
    body = ErrorOut(error={"zh": zh, "en": en}, errors=[r.as_json() for r in reasons])
    return JSONResponse(body.model_dump(), status_code=status)


def api_router(gateway: Gateway, settings: IntakeSettings) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["reports"])

    @router.post("/reports", status_code=202, response_model=ReceiptOut, responses={
        401: {"model": ErrorOut, "description": "a staff channel with a session that is not "
                                                "(or no longer) signed in"},
        403: {"model": ErrorOut, "description": "a staff channel without staff credentials, by "
                                                "someone who may not file for others, or "
                                                "naming another filer"},
        413: {"model": ErrorOut, "description": "the body is over 64 KB"},
        422: {"model": ErrorOut, "description": "invalid report: a reason per field"},
        429: {"model": ErrorOut, "description": "too many reports from this address"}},
        openapi_extra={"security": [{}, {"staffSession": []}]})
    async def file_report(report: ReportIn, request: Request) -> ReceiptOut | JSONResponse:
        """举报 / report a problem: answered once stored, with the tracking number.

        The public files on ``website``. The staff channels need the session of a signed-in
        staff member who may file reports (``rectify login``), as ``Authorization: Bearer
        <token>``; the finding is filed by that person."""
        now = system_clock()
        if Channel(report.channel) in STAFF_CHANNELS:
            filed = await _staff_filing(gateway, report, request)
            if isinstance(filed, JSONResponse):
                return filed
            checked, intake_id, ticket = filed
            submission, inferred = to_submission(checked, gateway.keys.cipher,
                                                 settings.public_unit, now, intake_id=intake_id)
        else:
            ticket = None
            submission, inferred = to_submission(report, gateway.keys.cipher,
                                                 settings.public_unit, now)
        receipt = await gateway.file(submission, ticket)
        lang = language(request)
        return ReceiptOut(
            tracking=receipt.tracking, problem_id=receipt.problem_id,
            status_url=f"/api/v1/reports/{receipt.tracking}", category=submission.category,
            category_inferred=inferred,
            message=f"已受理，查询编号 {receipt.tracking}" if lang == "zh"
            else f"received; your tracking number is {receipt.tracking}",
        )

    @router.get("/reports/{tracking}", response_model=StatusOut, responses={
        404: {"model": ErrorOut, "description": "no report has this tracking number"},
        429: {"model": ErrorOut, "description": "too many lookups from this address"}})
    async def report_status(tracking: str, request: Request) -> StatusOut | JSONResponse:
        """查询办理进展 / the status of one's own report and the answers to it."""
        found = await gateway.status(tracking)
        if found is None:
            return error_response(404, f"没有查询编号为 {tracking} 的举报",
                                  f"no report has the tracking number {tracking}")
        return status_out(found, language(request))

    return router



async def _staff_filing(gateway: Gateway, report: ReportIn,
                        request: Request) -> tuple[ReportIn, str, str] | JSONResponse:
    """The finding as filed by the signed-in staff member, its intake id scoped to them and
    the ticket the service gave them for it (casework files it as that person); or the
    refusal."""
    token = bearer(request)
    if token is None:
        return error_response(
            403, "重点抽查、执法监督等渠道须由工作人员登录（rectify login）后，以 "
                 "Authorization: Bearer 会话令牌提交",
            "staff channels need a signed-in staff member's session (rectify login) as "
            "Authorization: Bearer <token>")
    try:
        staff = await staff_member(gateway.client, token)
    except NotSignedInError as refused:
        return error_response(401, refused.zh, refused.en)
    if not staff.may_file():
        return error_response(403, f"{staff.name} 无权代为登记问题",
                              f"{staff.name} may not file reports")
    if report.filed_by is not None and not staff.is_named(report.filed_by):
        return error_response(403, f"填报人写的是 {report.filed_by}，但登录人是 {staff.name}",
                              f"filed_by names {report.filed_by} but {staff.name} is signed in")
    intake_id = staff_intake_id(staff.person_id, report.intake_id or report.content_key())
    try:
        _, [ready] = await prepare(gateway.client, token, Channel(report.channel),
                                   str(report.unit), staff.name, [{"intake_id": intake_id}])
    except NotPreparedError as refused:
        return error_response(503 if refused.code == "unreachable" else 403,
                              refused.zh, refused.en)
    return report.model_copy(update={"filed_by": staff.name}), intake_id, ready.ticket
