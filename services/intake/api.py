"""The JSON API: ``POST /api/v1/reports`` to file, ``GET /api/v1/reports/{tracking}`` to follow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from events.vocabulary import Category, Channel, Language, ProblemStatus
from services.clock import system_clock
from services.intake.gateway import Gateway, ReportStatus
from services.intake.i18n import FieldReason, language
from services.intake.reports import STAFF_CHANNELS, ReportIn, to_submission
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
        403: {"model": ErrorOut, "description": "a staff channel without staff credentials"},
        413: {"model": ErrorOut, "description": "the body is over 64 KB"},
        422: {"model": ErrorOut, "description": "invalid report: a reason per field"},
        429: {"model": ErrorOut, "description": "too many reports from this address"}})
    async def file_report(report: ReportIn, request: Request) -> ReceiptOut | JSONResponse:
        """举报 / report a problem: answered once stored, with the tracking number.

        Anonymous clients file on the public channel (``website``) only: the staff channels
        need staff credentials, which this API does not take yet (staff file with
        ``rectify report``)."""
        if Channel(report.channel) in STAFF_CHANNELS:
            return error_response(
                403, "重点抽查、执法监督和督察反馈须由工作人员登录后填报，公开接口不受理；"
                     "请用 rectify report 登记",
                "staff channels need staff credentials, which the public API does not take: "
                "file with `rectify report`")
        submission, inferred = to_submission(report, gateway.keys.cipher, settings.public_unit,
                                             system_clock())
        receipt = await gateway.file(submission)
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

