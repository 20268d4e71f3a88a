"""Open311 GeoReport v2: the public standard civic front ends (apps, portals) file reports with.

Services are the 13 categories; a request is a website report; its ``service_request_id`` is
the tracking number, so a GET on it shows the status and the answer (as ``status_notes``) and
nothing else. Formats: JSON only. Requests are looked up by id; there is no listing of others'.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from events.vocabulary import Category, ProblemStatus
from services.clock import system_clock
from services.intake.freetext import read_free_text
from services.intake.gateway import Gateway, ReportStatus
from services.intake.i18n import field_reasons
from services.intake.reports import ReportIn, to_submission
from services.runtime.config import IntakeSettings

_CLOSED = frozenset({ProblemStatus.CLOSED, ProblemStatus.DECLINED, ProblemStatus.DUPLICATE})


def _errors(status: int, *descriptions: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": d} for d in descriptions],
                        status_code=status)


def _as_request(found: ReportStatus) -> dict[str, Any]:
    status = "closed" if found.status in _CLOSED else "open"
    label = found.status.label() if found.status else "已收到，正在登记"
    notes = found.answers[-1].message if found.answers else label
    return {"service_request_id": found.tracking, "status": status, "status_notes": notes}


def open311_router(gateway: Gateway, settings: IntakeSettings) -> APIRouter:
    router = APIRouter(prefix="/open311/v2", tags=["open311"])

    @router.get("/services.json")
    async def services() -> list[dict[str, Any]]:
        """The service list: one service per problem category (整治重点)."""
        return [{"service_code": c.value, "service_name": c.label(), "description": c.label("en"),
                 "metadata": False, "type": "realtime", "keywords": "", "group": "行政执法"}
                for c in Category]

    @router.post("/requests.json")
    @router.post("/requests")
    async def create(request: Request) -> JSONResponse:
        """Create a service request (form-encoded, as the standard has it)."""
        form = {k: str(v).strip() for k, v in (await request.form()).items() if str(v).strip()}
        report = read_free_text(form.get("description", ""))
        if report is None:
            return _errors(400, "description: 请描述问题 / a description is required")
        name = " ".join(filter(None, (form.get("last_name"), form.get("first_name"))))
        fields: dict[str, Any] = {
            "problem": report.problem, "case": report.case, "unit": report.unit,
            "category": form.get("service_code"), "enterprise": form.get("address_string"),
            "reporter": {k: v for k, v in (("name", name), ("phone", form.get("phone"))) if v}
            or None}
        try:
            checked = ReportIn.model_validate({k: v for k, v in fields.items() if v is not None})
        except ValidationError as invalid:
            return _errors(400, *(r.en for r in field_reasons(invalid.errors())))
        submission, _ = to_submission(checked, gateway.keys.cipher, settings.public_unit,
                                      system_clock())
        receipt = await gateway.file(submission)
        return JSONResponse([{"service_request_id": receipt.tracking, "account_id": None,
                              "service_notice": f"已受理，查询编号 {receipt.tracking}"}])

    @router.get("/requests/{tracking}.json")
    async def one(tracking: str) -> JSONResponse:
        found = await gateway.status(tracking)
        if found is None:
            return _errors(404, f"no request {tracking}")
        return JSONResponse([_as_request(found)])

    @router.get("/requests.json")
    async def some(service_request_id: str = "") -> JSONResponse:
        """Requests by id (comma-separated); without ids, none: reports are not public."""
        found = [await gateway.status(t) for t in service_request_id.split(",") if t.strip()]
        return JSONResponse([_as_request(f) for f in found if f is not None])

    return router
