"""局网站: the public report form, plain HTML that works without JavaScript.

CSRF: the browser holds a random secret in a SameSite, HttpOnly cookie; each form carries a fresh
form id and an HMAC of (secret, form id). Another site can neither read the cookie nor forge the
HMAC. The form id is also the report's de-duplication id, so a double click or a re-sent form
files one problem.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from events.vocabulary import Category, Language
from services.clock import system_clock
from services.intake.api import status_out
from services.intake.gateway import Gateway
from services.intake.i18n import FieldReason, field_reasons, language
from services.intake.reports import ReportIn, to_submission
from services.intake.webtext import TEXTS
from services.reporters.tracking import formatted, normalize
from services.runtime.config import IntakeSettings

CSRF_COOKIE = "rectify_csrf"
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))
_STYLE = (Path(__file__).parent / "templates" / "site.css").read_bytes()
_FIELDS = ("problem", "case", "unit", "category", "enterprise", "name", "phone")


def _render(template: str, lang: Language, status: int = 200, **context: Any) -> HTMLResponse:
    page = _TEMPLATES.get_template(template).render(lang=lang, t=TEXTS[lang], **context)
    return HTMLResponse(page, status_code=status)


def web_router(gateway: Gateway, settings: IntakeSettings) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def token(secret: str, form_id: str) -> str:
        message = f"{secret}|{form_id}".encode()
        return hmac.new(gateway.keys.csrf, message, hashlib.sha256).hexdigest()

    def form_page(request: Request, lang: Language, values: dict[str, str],
                  errors: list[FieldReason], form_id: str, status: int = 200) -> HTMLResponse:
        secret = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        page = _render("form.html", lang, status, values=values, errors=errors, form_id=form_id,
                       csrf=token(secret, form_id),
                       categories=[(c.value, c.label(lang)) for c in Category])
        page.set_cookie(CSRF_COOKIE, secret, httponly=True, samesite="strict")
        return page

    @router.get("/site.css")
    async def style_sheet() -> Response:
        return Response(_STYLE, media_type="text/css; charset=utf-8",
                        headers={"cache-control": "public, max-age=3600"})

    @router.get("/")
    @router.get("/report")
    async def blank_form(request: Request) -> Response:
        return form_page(request, language(request), dict.fromkeys(_FIELDS, ""), [],
                         str(uuid.uuid4()))

    @router.post("/report")
    async def submit(request: Request) -> Response:
        lang = language(request)
        form = await request.form()
        values = {name: str(form.get(name) or "").strip() for name in _FIELDS}
        form_id, secret = str(form.get("form_id") or ""), request.cookies.get(CSRF_COOKIE, "")
        if not (secret and form_id and hmac.compare_digest(
                token(secret, form_id), str(form.get("csrf") or ""))):
            return _render("message.html", lang, 403, message=TEXTS[lang]["csrf"])
        try:
            report = ReportIn.model_validate(_report_fields(values))
        except ValidationError as invalid:
            return form_page(request, lang, values, field_reasons(invalid.errors()), form_id, 422)
        # The form id is the server's; scoped to the browser's secret all the same, so that
        # even a form id seen elsewhere reaches nothing from another browser.
        submission, _ = to_submission(report, gateway.keys.cipher, settings.public_unit,
                                      system_clock(),
                                      intake_id=gateway.keys.scoped(f"form:{secret}", form_id))
        receipt = await gateway.file(submission)
        return RedirectResponse(f"/reports/{receipt.tracking}?new=1&lang={lang}", status_code=303)

    @router.get("/track")
    async def track(request: Request, tracking: str = "") -> Response:
        lang = language(request)
        code = normalize(tracking)
        if code is None:
            return _render("message.html", lang, 404, message=TEXTS[lang]["not_found"])
        return RedirectResponse(f"/reports/{formatted(code)}?lang={lang}", status_code=303)

    @router.get("/reports/{tracking}")
    async def status_page(request: Request, tracking: str, new: bool = False) -> Response:
        lang = language(request)
        found = await gateway.status(tracking)
        if found is None:
            return _render("message.html", lang, 404, message=TEXTS[lang]["not_found"])
        shown = status_out(found, lang)
        return _render("status.html", lang, new=new, tracking=shown.tracking,
                       status_label=shown.status_label, answers=shown.answers)

    return router


def _report_fields(values: dict[str, str]) -> dict[str, Any]:
    """The form's fields as a ReportIn: empty optional fields are absent, not empty."""
    fields: dict[str, Any] = {k: v for k, v in values.items()
                              if v and k in ("problem", "case", "unit", "category", "enterprise")}
    fields.setdefault("problem", values["problem"])
    fields.setdefault("case", values["case"])
    reporter = {k: values[k] for k in ("name", "phone") if values[k]}
    if reporter:
        fields["reporter"] = reporter
    return fields
