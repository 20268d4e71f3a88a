"""Open311 GeoReport v2: the public standard civic front ends (apps, portals) file reports with.

Services are the 13 categories; a request is a website report; its ``service_request_id`` is
the tracking number, so a GET on it shows the status and the answer (as ``status_notes``) and
nothing else. Formats: JSON only. Requests are looked up by id, at most ``MAX_BATCH_IDS`` at a
time; there is no listing of others'. Filing needs the ``api_key`` the bureau gave the front end
(anonymous reporters use the website form or ``/api/v1/reports``); the same request sent twice
by one front end is one report, and two front ends never share a report.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.formparsers import MultiPartException

from events.vocabulary import Category, ProblemStatus
from services.clock import system_clock
from services.intake.freetext import read_free_text
from services.intake.gateway import Gateway, ReportStatus
from services.intake.i18n import field_reasons
from services.intake.ratelimit import MAX_BATCH_IDS
from services.intake.reports import ReportIn, to_submission
from services.runtime.config import IntakeSettings

_CLOSED = frozenset({ProblemStatus.CLOSED, ProblemStatus.DECLINED, ProblemStatus.DUPLICATE})


_ERROR = {"type": "array", "items": {"type": "object", "required": ["code", "description"],
                                     "properties": {"code": {"type": "integer"},
                                                    "description": {"type": "string"}}}}
_TEXT = {"type": "string", "minLength": 1}
_POST_BODY = {"requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["api_key", "description"],
        "properties": {
            "api_key": {**_TEXT, "description": "the key the bureau gave this front end"},
            "description": {**_TEXT, "maxLength": 20000,
                            "description": "执法问题 and 具体情况: the first line is the problem"},
            "service_code": {"type": "string", "enum": [c.value for c in Category]},
            "address_string": {"type": "string", "maxLength": 200},
            "first_name": {"type": "string"}, "last_name": {"type": "string"},
            "phone": {"type": "string"}, "email": {"type": "string"},
            "lat": {"type": "string"}, "long": {"type": "string"}}}}}}}
_IDS = {"type": "string", "pattern": rf"^[^,]*(,[^,]*){{0,{MAX_BATCH_IDS - 1}}}$",
        "description": f"tracking numbers, comma-separated, at most {MAX_BATCH_IDS}"}


def _documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    meaning = {400: "invalid request", 403: "api_key missing or unknown",
               404: "no such request", 413: "the body is over 64 KB",
               429: "too many requests from this address"}
    return {status: {"description": meaning[status],
                     "content": {"application/json": {"schema": _ERROR}}}
            for status in statuses}


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

    @router.post("/requests.json", openapi_extra=_POST_BODY,
                 responses=_documented(400, 403, 413, 429))
    @router.post("/requests", openapi_extra=_POST_BODY, responses=_documented(400, 403, 413, 429))
    async def create(request: Request) -> JSONResponse:
        """Create a service request (form-encoded, as the standard has it)."""
        try:
            form = {k: str(v).strip() for k, v in (await request.form()).items()
                    if str(v).strip()}
        except (HTTPException, MultiPartException) as unreadable:
            return _errors(400, f"the form cannot be read: {unreadable}")
        client = settings.open311_keys.get(form.get("api_key", ""))
        if client is None:
            return _errors(403, "api_key: 缺少或无效的 api_key / missing or unknown api_key")
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
        intake_id = gateway.keys.scoped(f"open311:{client}", checked.content_key())
        submission, _ = to_submission(checked, gateway.keys.cipher, settings.public_unit,
                                      system_clock(), intake_id=intake_id)
        receipt = await gateway.file(submission)
        return JSONResponse([{"service_request_id": receipt.tracking, "account_id": None,
                              "service_notice": f"已受理，查询编号 {receipt.tracking}"}])

    @router.get("/requests/{tracking}.json", responses=_documented(404, 429))
    async def one(tracking: str) -> JSONResponse:
        found = await gateway.status(tracking)
        if found is None:
            return _errors(404, f"no request {tracking}")
        return JSONResponse([_as_request(found)])

    @router.get("/requests.json", responses=_documented(400, 429))
    async def some(service_request_id: Annotated[str, Query(json_schema_extra=_IDS)] = ""
                   ) -> JSONResponse:
        """Requests by id (comma-separated); without ids, none: reports are not public."""
        ids = [t for t in service_request_id.split(",") if t.strip()]
        if len(ids) > MAX_BATCH_IDS:
            return _errors(400, f"service_request_id: 一次最多查询 {MAX_BATCH_IDS} 个 / "
                                f"at most {MAX_BATCH_IDS} ids at a time")
        found = [await gateway.status(t) for t in ids]
        return JSONResponse([_as_request(f) for f in found if f is not None])

    return router
