"""The console's routes: sign-in and sign-out, each role's home page, the problem page with the
forms its reader may use, evidence, the ledger and the board.

Every POST carries the form's CSRF token; every action is one staff command sent with the
signed-in person's identity session (``via: web``), then the page waits until the read models
show it, so what the person sees after pressing a button includes what they did.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from events.commands import (
    ProblemCommand,
    SelectForSpotCheck,
    SubmitFiling,
)
from events.subjects import HEADER_SESSION
from events.vocabulary import (
    Category,
    Channel,
    Filing,
    Language,
    Notice,
    ProblemStatus,
    TypicalReason,
    Via,
)
from projections.engine.store import ReadStore
from projections.exports.ledger_files import export
from projections.exports.summary_document import DEFAULT_TEMPLATE, document_context, to_docx
from projections.exports.summary_export import sections, to_xlsx
from projections.models.board import read_board
from projections.models.extensions import RequestState, read_extension_requests
from projections.models.facts import CHINA_TIME, local_date
from projections.models.ledger import read_ledger
from projections.models.plans import read_plans
from projections.models.stats import Statistics, read_stats
from projections.models.summary import Summary, read_summary
from projections.models.supervision import read_notices
from projections.models.trail import accountability, actions_of
from services.cli.dates import parse_date
from services.cli.describe import event_label
from services.cli.summary import SUMMARY_MODELS
from services.clock import system_clock
from services.console import views
from services.console.access import home, may, readable_units, units_for
from services.console.actions import ACTIONS, ActionRefusedError
from services.console.backend import Backend, IdentityUnreachableError, Staff
from services.console.browser import COOKIE, BrowserSession, BrowserSessions
from services.console.charts import Bar, bars, percent
from services.console.evidence import EvidenceRefusedError, EvidenceStore
from services.console.imports import (
    MAX_LEDGER_BYTES,
    UploadRefusedError,
    accepted,
    planned,
)
from services.console.notice_forms import NOTICE_FORMS
from services.console.pages import language, render
from services.console.pickers import department_choices, leader_choices
from services.console.sso import CALLBACK_PATH, PENDING_SECONDS, ConsoleSso
from services.console.sso import COOKIE as SSO_COOKIE
from services.identity.audit import AuditLog
from services.identity.directory import Person
from services.identity.oidc import pkce_pair
from services.intake.headers import SecurityHeaders
from services.intake.ledger_import import ImportFailedError, file_import
from services.reporters.keys import IntakeKeys

STATIC = Path(__file__).parent / "static"
READ_YOUR_WRITE_SECONDS = 15.0


class SignInNeededError(Exception):
    """No live identity session behind this browser: to the sign-in page."""


class ForbiddenError(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass
class Console:
    backend: Backend
    store: ReadStore
    evidence: EvidenceStore
    audit: AuditLog
    tracking_key: bytes
    as_of: Callable[[datetime, Sequence[str]], Awaitable[ReadStore]] | None = None
    """The read models as they stood at a moment, replayed from EVENTS (None: not offered)."""
    secure_cookie: bool = False
    sessions: BrowserSessions | None = None
    intake_keys: IntakeKeys | None = None
    """For filing an uploaded ledger's problems through the gateway (None: not offered)."""
    summary_template: Path = DEFAULT_TEMPLATE
    """The Word template of the summary's docx (a bureau's own, or the one rectify ships)."""
    sso: ConsoleSso | None = None
    """统一身份认证登录, where a provider is configured."""
    directory: Callable[[], Iterable[Person]] | None = None
    """The staff directory as of now, for the pickers (None: names on record only)."""

    def __post_init__(self) -> None:
        self.sessions = self.sessions or BrowserSessions()

    @property
    def browsers(self) -> BrowserSessions:
        assert self.sessions is not None
        return self.sessions

    def people(self) -> list[Person]:
        return list(self.directory()) if self.directory is not None else []

    async def read(self, reader: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(reader, self.store, *args)


def today() -> date:
    return local_date(system_clock())


def create_app(console: Console) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def browser(request: Request) -> BrowserSession | None:
        return console.browsers.get(request.cookies.get(COOKIE))

    async def signed_in(request: Request) -> tuple[BrowserSession, Staff]:
        session = browser(request)
        if session is None or session.token is None:
            raise SignInNeededError
        staff = await console.backend.whoami(session.token)
        if staff is None:
            console.browsers.drop(session)
            raise SignInNeededError
        return session, staff

    def with_cookie(response: Response, session: BrowserSession) -> Response:
        response.set_cookie(
            COOKIE,
            session.sid,
            httponly=True,
            samesite="strict",
            secure=console.secure_cookie,
            path="/",
        )
        return response

    def page(
        request: Request,
        template: str,
        session: BrowserSession,
        staff: Staff | None,
        status_code: int = 200,
        **context: Any,
    ) -> Response:
        notices, session.notice = session.notice, []
        return with_cookie(
            render(
                request,
                template,
                status_code,
                csrf=session.csrf,
                staff=staff,
                notices=notices,
                may=may,
                sso=console.sso,
                **context,
            ),
            session,
        )

    async def checked_form(request: Request, session: BrowserSession) -> FormData:
        form = await request.form()
        sent = form.get("csrf")
        if not session.csrf_matches(sent if isinstance(sent, str) else None):
            raise ForbiddenError("csrf")
        return form

    async def forbidden(request: Request, staff: Staff, what: str) -> Response:
        """A 403 page, and a security event in the audit log."""
        await asyncio.to_thread(
            console.audit.record,
            system_clock(),
            "console-access",
            "refused",
            actor_id=staff.person_id,
            actor=staff.name,
            target=what,
            detail=f"{request.method} {request.url.path}",
        )
        raise ForbiddenError(what)

    @app.exception_handler(SignInNeededError)
    async def to_sign_in(request: Request, _: Exception) -> Response:
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(ForbiddenError)
    async def refused(request: Request, error: Exception) -> Response:
        session = browser(request) or console.browsers.new()
        return page(request, "forbidden.html", session, None, 403)

    @app.exception_handler(IdentityUnreachableError)
    async def unavailable(request: Request, _: Exception) -> Response:
        session = browser(request) or console.browsers.new()
        return page(request, "unavailable.html", session, None, 503)

    @app.exception_handler(404)
    async def missing(request: Request, _: Exception) -> Response:
        session = browser(request) or console.browsers.new()
        return page(request, "missing.html", session, None, 404)

    # ------------------------------------------------------------- signing in

    @app.get("/login")
    async def login_page(request: Request, next: str = "/") -> Response:
        session = browser(request)
        if session is None or session.token is not None:
            session = console.browsers.new()
        return page(
            request,
            "login.html",
            session,
            None,
            next=_local(next),
            error=None,
            login="",
            ask_new_password=False,
        )

    @app.post("/login")
    async def login(request: Request) -> Response:
        session = browser(request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        form = await checked_form(request, session)
        name, target = str(form.get("login") or "").strip(), _local(str(form.get("next") or "/"))
        answer = await console.backend.login(
            name,
            str(form.get("password") or ""),
            str(form.get("totp") or "").strip() or None,
            str(form.get("new_password") or "") or None,
        )
        if not answer.get("ok"):
            error = answer.get("error") or {}
            return page(
                request,
                "login.html",
                session,
                None,
                next=target,
                error=error,
                login=name,
                ask_new_password=error.get("code") == "password_change_required",
            )
        fresh = console.browsers.signed_in(session, str(answer["token"]))
        staff = Staff.from_json(answer["person"])
        return with_cookie(
            RedirectResponse(target if target != "/" else home(staff), status_code=303), fresh
        )

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        session = browser(request)
        if session is not None:
            await checked_form(request, session)
            if session.token:
                await console.backend.logout(session.token)
            console.browsers.drop(session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # --------------------------------------------------------- single sign-on

    def sso_on() -> ConsoleSso:
        if console.sso is None:
            raise _not_found()
        return console.sso

    def sso_refused(request: Request, error: dict[str, str], target: str,
                    ended: bool = True) -> Response:
        """The sign-in page with why; ``ended``: this browser's sign-in under way is over (a
        forged callback does not end the real one)."""
        response = page(request, "login.html", console.browsers.new(), None, next=target,
                        error=error, login="", ask_new_password=False)
        if ended:
            response.delete_cookie(SSO_COOKIE, path="/login/sso")
        return response

    def sso_signed_in(request: Request, answer: dict[str, Any], target: str) -> Response:
        fresh = console.browsers.signed_in(browser(request) or console.browsers.new(),
                                           str(answer["token"]))
        staff = Staff.from_json(answer["person"])
        response = page(request, "signing_in.html", fresh, None,
                        target=target if target != "/" else home(staff))
        response.delete_cookie(SSO_COOKIE, path="/login/sso")
        return response

    @app.get("/login/sso")
    async def sso_start(request: Request, next: str = "/") -> Response:
        """To the provider (a link, not a form: the CSP's form-action stays 'self')."""
        sso, target = sso_on(), _local(next)
        verifier, challenge = pkce_pair()
        redirect_uri = sso.redirect_uri or str(request.base_url).rstrip("/") + CALLBACK_PATH
        answer = await console.backend.sso_begin(redirect_uri, challenge)
        if not answer.get("ok"):
            return sso_refused(request, answer.get("error") or {}, target)
        started = sso.start(str(answer["state"]), verifier, redirect_uri, target)
        response = RedirectResponse(str(answer["url"]), status_code=303)
        response.set_cookie(SSO_COOKIE, started.binding, max_age=PENDING_SECONDS, path="/login/sso",
                            httponly=True, samesite="lax", secure=console.secure_cookie)
        return response

    @app.get(CALLBACK_PATH)
    async def sso_callback(request: Request, state: str = "", code: str = "",
                           error: str = "") -> Response:
        sso = sso_on()
        started = sso.came_back(state, request.cookies.get(SSO_COOKIE))
        if error or (started is not None and not code):
            # the person declined or the provider failed: nothing to redeem, only to say so
            said = error[:80] or "未返回授权码"  # the provider's word, shown back escaped
            return sso_refused(request, {
                "code": "sso_denied", "zh": f"统一身份认证平台未完成登录（{said}）",
                "en": f"the identity provider did not sign you in ({said})"},
                started.next if started else "/", ended=started is not None)
        if started is None:
            await asyncio.to_thread(
                console.audit.record, system_clock(), "login", "refused",
                detail="single sign-on: unknown or expired state, or another browser's")
            return sso_refused(request, {
                "code": "sso_state",
                "zh": "统一身份认证登录已失效或来源不符（state 不匹配），请重新登录",
                "en": "this single sign-on is unknown, expired or not this browser's; "
                      "start again"}, "/", ended=False)
        answer = await console.backend.sso_finish(state, code, started.verifier,
                                                  started.redirect_uri)
        if not answer.get("ok"):
            return sso_refused(request, answer.get("error") or {}, started.next)
        if answer.get("totp_required"):
            session = console.browsers.new()
            sso.await_totp(session.sid, str(answer["ticket"]), started.next)
            response = page(request, "sso_totp.html", session, None, error=None,
                            name=answer["person"]["name"])
            response.delete_cookie(SSO_COOKIE, path="/login/sso")
            return response
        return sso_signed_in(request, answer, started.next)

    @app.post("/login/sso/totp")
    async def sso_totp(request: Request) -> Response:
        """An administrator's one-time code after single sign-on (等保: two factors)."""
        sso, session = sso_on(), browser(request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        form = await checked_form(request, session)
        awaiting = sso.awaiting(session.sid)
        if awaiting is None:
            return sso_refused(request, {"code": "sso_state",
                                         "zh": "统一身份认证登录已失效，请重新登录",
                                         "en": "this single sign-on has expired; start again"},
                               "/")
        answer = await console.backend.sso_totp(awaiting.ticket,
                                                str(form.get("totp") or "").strip())
        if not answer.get("ok"):
            error = answer.get("error") or {}
            if error.get("code") == "bad_totp":
                return page(request, "sso_totp.html", session, None, error=error, name="")
            sso.done(session.sid)
            return sso_refused(request, error, awaiting.next)
        sso.done(session.sid)
        return sso_signed_in(request, answer, awaiting.next)

    # ------------------------------------------------------------- home pages

    @app.get("/")
    async def start(request: Request) -> Response:
        _, staff = await signed_in(request)
        return RedirectResponse(home(staff), status_code=303)

    @app.get("/office")
    async def office(request: Request) -> Response:
        session, staff = await signed_in(request)
        if not may(staff, "problem.triage"):
            await forbidden(request, staff, "office")
        lines: list[views.ProblemLine] = await console.read(views.problem_lines, today())
        by = _by_status(lines)
        unanswered = [
            p
            for p in lines
            if p.channel.is_public
            and not p.answered
            and p.status in (ProblemStatus.VERIFIED, ProblemStatus.CLOSED)
        ]
        inbox = await console.read(
            views.with_intake, by(ProblemStatus.REPORTED), console.tracking_key
        )
        proposals = await console.read(views.pending_proposals)
        return page(
            request,
            "office.html",
            session,
            staff,
            inbox=inbox,
            to_assign=by(ProblemStatus.TRIAGED),
            proposed=[p for p in lines if p.problem_id in proposals],
            to_verify=by(ProblemStatus.FIX_SUBMITTED),
            to_close=by(ProblemStatus.VERIFIED),
            unanswered=unanswered,
            rectifying=by(ProblemStatus.RECTIFYING),
        )

    @app.get("/unit")
    async def unit(request: Request) -> Response:
        session, staff = await signed_in(request)
        units = {u for u in staff.units("unit_staff", "unit_leader") if u is not None}
        if not units:
            await forbidden(request, staff, "unit")
        lines = await console.read(views.problem_lines, today(), units)
        orders = await console.read(views.open_notices, units)
        unit_orders = await console.read(views.open_unit_notices, units)
        extensions = await console.read(read_extension_requests, units, None, True)
        return page(
            request,
            "unit.html",
            session,
            staff,
            units=sorted(units),
            lines=lines,
            leader=staff.holds("unit_leader"),
            orders=orders,
            unit_orders=unit_orders,
            extensions=extensions,
        )

    @app.get("/account")
    async def account(request: Request) -> Response:
        session, staff = await signed_in(request)
        return page(request, "account.html", session, staff)

    # ----------------------------------------------------------- one problem

    async def readable(request: Request, staff: Staff, problem_id: str) -> str:
        unit_name = await console.read(views.unit_of, problem_id)
        if unit_name is None and await console.backend.recorded(problem_id):
            async def projected() -> bool:  # filed a moment ago: the read side catches up
                return await console.read(views.unit_of, problem_id) is not None

            await _until(projected)
            unit_name = await console.read(views.unit_of, problem_id)
        if unit_name is None:
            raise _not_found()
        allowed = readable_units(staff)
        if allowed is not None and unit_name not in allowed:
            await forbidden(request, staff, f"problem {problem_id} ({unit_name})")
        return str(unit_name)

    async def problem_page(request: Request, session: BrowserSession, staff: Staff,
                           problem_id: str, revealed: dict[str, str] | None = None) -> Response:
        record = await console.read(views.problem_record, today(), problem_id,
                                    console.tracking_key, language(request))
        if record is None:
            raise _not_found()
        known_leaders, known_departments = await console.read(views.known_names)
        people = console.people()
        leaders = leader_choices(people, record.line.unit, known_leaders, language(request))
        departments = department_choices(people, record.line.unit, known_departments)
        extensions = await console.read(read_extension_requests, None, problem_id)
        return page(request, "problem.html", session, staff, p=record,
                    categories=list(Category), channels=list(Channel), S=ProblemStatus,
                    typical_reasons=list(TypicalReason),
                    leaders=leaders, departments=departments, revealed=revealed,
                    extensions=extensions,
                    pending_extension=next((e for e in extensions
                                            if e.state is RequestState.PENDING), None))

    @app.get("/problems/{problem_id}")
    async def problem(request: Request, problem_id: str) -> Response:
        session, staff = await signed_in(request)
        await readable(request, staff, _uuid(problem_id))
        return await problem_page(request, session, staff, problem_id)

    @app.post("/problems/{problem_id}/unmask")
    async def unmask(request: Request, problem_id: str) -> Response:
        """The reporter in clear for a reporter-data reader, with the purpose recorded; shown
        on this one answer only (never kept by the console)."""
        session, staff = await signed_in(request)
        await readable(request, staff, _uuid(problem_id))
        if not may(staff, "reporter.unmask"):
            await forbidden(request, staff, f"reporter.unmask {problem_id}")
        form = await checked_form(request, session)
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
        return await problem_page(request, session, staff, problem_id,
                                  revealed=dict(answer["reporter"]))

    @app.get("/search")
    async def search(request: Request, q: str = "") -> Response:
        session, staff = await signed_in(request)
        lines = await console.read(views.search, today(), q, console.tracking_key,
                                   readable_units(staff)) if q.strip() else []
        return page(request, "search.html", session, staff, q=q, lines=lines)

    @app.post("/problems/{problem_id}/{verb}")
    async def act(request: Request, problem_id: str, verb: str) -> Response:
        session, staff = await signed_in(request)
        unit_name = await readable(request, staff, _uuid(problem_id))
        build = ACTIONS.get(verb)
        if build is None:
            raise _not_found()
        if not may(staff, f"problem.{verb}", unit_name):
            await forbidden(request, staff, f"problem.{verb} {problem_id} ({unit_name})")
        form = await checked_form(request, session)
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
            error = reply.get("error") or {}
            session.notice.append(
                ("error", str(error.get("zh", "被拒绝")), str(error.get("en", "refused")))
            )
            return RedirectResponse(where, status_code=303)
        await _shown(console, problem_id, int(reply["version"]))
        session.notice.append(("ok", "已记录", "recorded"))
        return RedirectResponse(where, status_code=303)

    @app.get("/problems/{problem_id}/evidence/{sha256}")
    async def evidence(request: Request, problem_id: str, sha256: str) -> Response:
        _, staff = await signed_in(request)
        await readable(request, staff, _uuid(problem_id))
        record = await console.read(
            views.problem_record, today(), problem_id, console.tracking_key, "zh"
        )
        found = [e for e in (record.evidence if record else []) if e.sha256 == sha256]
        path = console.evidence.path(sha256)
        if not found or not path.exists():
            raise _not_found()
        return FileResponse(
            path,
            media_type=found[0].media_type,
            filename=found[0].name,
            headers={"Cache-Control": "no-store"},
        )

    # --------------------------------------------------------- ledger, board

    @app.get("/ledger")
    async def ledger(request: Request, unit: str | None = None) -> Response:
        session, staff = await signed_in(request)
        ledgers, chosen, as_of = await _ledgers(request, staff, unit)
        allowed = readable_units(staff)
        return page(request, "ledger.html", session, staff, ledgers=ledgers, chosen=chosen,
                    units=sorted(allowed or []), choose=allowed is None or len(allowed) > 1,
                    as_of=as_of)

    @app.get("/ledger.xlsx")
    async def ledger_xlsx(request: Request, unit: str | None = None) -> Response:
        _, staff = await signed_in(request)
        ledgers, chosen, as_of = await _ledgers(request, staff, unit)
        content = await asyncio.to_thread(export, ledgers, "xlsx")
        name = f"整改台账-{chosen or '全部'}-{(as_of or today()).isoformat()}.xlsx"
        return Response(
            content,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
                "Cache-Control": "no-store",
            },
        )

    async def chosen_unit(request: Request, staff: Staff, unit: str | None,
                          what: str) -> str | None:
        """The unit asked for, if the person may read it; None (every unit) only for those
        who read every unit; one's only unit when none is asked for."""
        unit = (unit or "").strip() or None
        allowed = readable_units(staff)
        if allowed is not None:
            if unit is not None and unit not in allowed:
                await forbidden(request, staff, f"{what} {unit}")
            if unit is None and len(allowed) == 1:
                unit = next(iter(allowed))
            if unit is None:
                await forbidden(request, staff, f"{what} of every unit")
        return unit

    async def as_asked(request: Request, reader: Callable[..., Any], names: Sequence[str],
                       *args: Any) -> tuple[Any, date | None]:
        """``reader(store, day, *args)`` now, or at the end of the day ``?as_of=`` names (the
        read models ``names`` replayed from EVENTS up to then); and that day, if one."""
        day = _as_of_day(request.query_params.get("as_of"))
        if day is None or console.as_of is None:
            return await console.read(reader, today(), *args), None
        store = await console.as_of(datetime.combine(day + timedelta(days=1), time_of_day(),
                                                     CHINA_TIME) - timedelta(microseconds=1),
                                    names)
        try:
            return await asyncio.to_thread(reader, store, day, *args), day
        finally:
            store.close()

    async def _ledgers(request: Request, staff: Staff, unit: str | None
                       ) -> tuple[list[Any], str | None, date | None]:
        unit = await chosen_unit(request, staff, unit, "ledger")
        ledgers, day = await as_asked(request, read_ledger, LEDGER_MODELS, unit or None)
        return ledgers, unit, day

    @app.get("/stats")
    async def stats(request: Request) -> Response:
        session, staff = await signed_in(request)
        allowed = readable_units(staff)
        if allowed is not None:
            await forbidden(request, staff, "stats of every unit")
        figures: Statistics = await console.read(read_stats, today())
        lang = language(request)
        units = sorted(figures.units, key=lambda u: u.unit)
        by_channel: dict[Channel, int] = {}
        for cell in figures.cells:
            by_channel[cell.channel] = by_channel.get(cell.channel, 0) + cell.count
        zh = lang == "zh"
        charts = [(title, bars(title, rows, colour, top)) for title, rows, colour, top in (
            ("整改完成率（按单位）" if zh else "Closure rate by unit",
             [Bar(u.unit, u.closure_rate or 0, percent(u.closure_rate)) for u in units],
             "#9b1c1c", 1.0),
            ("按期完成率（按单位）" if zh else "On-time rate by unit",
             [Bar(u.unit, u.on_time_rate or 0, percent(u.on_time_rate)) for u in units],
             "#175cd3", 1.0),
            ("逾期未完成（按单位）" if zh else "Overdue by unit",
             [Bar(u.unit, u.overdue, str(u.overdue)) for u in units], "#b42318", None),
            ("问题来源（按渠道）" if zh else "Reports by channel",
             [Bar(c.label("zh" if zh else "en"), n, str(n))
              for c, n in sorted(by_channel.items(), key=lambda item: -item[1])],
             "#475467", None),
        )]
        return page(request, "stats.html", session, staff, figures=figures, units=units,
                    charts=charts, percent=percent)

    @app.get("/summary")
    async def summary(request: Request, unit: str | None = None) -> Response:
        """总结: the figures of ``rectify summary``, with its xlsx and docx."""
        session, staff = await signed_in(request)
        chosen = await chosen_unit(request, staff, unit, "summary")
        figures: Summary
        figures, as_of = await as_asked(request, read_summary, SUMMARY_MODELS, chosen)
        allowed = readable_units(staff)
        return page(request, "summary.html", session, staff, figures=figures, chosen=chosen,
                    sections=sections(figures, "en" if language(request) == "en" else "zh"),
                    units=sorted(allowed or []), choose=allowed is None or len(allowed) > 1,
                    as_of=as_of)

    @app.get("/summary.{kind}")
    async def summary_file(request: Request, kind: str, unit: str | None = None) -> Response:
        _, staff = await signed_in(request)
        if kind not in SUMMARY_FILES:
            raise _not_found()
        chosen = await chosen_unit(request, staff, unit, "summary")
        lang: Language = "en" if language(request) == "en" else "zh"
        content, as_of = await as_asked(request, _summary_file, SUMMARY_MODELS, chosen, kind,
                                        lang, console.summary_template)
        name = (f"{'总结' if lang == 'zh' else 'summary'}-{chosen or '全部单位'}-"
                f"{as_of or today()}.{kind}")
        return Response(content, media_type=SUMMARY_FILES[kind], headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store"})

    @app.get("/plans")
    async def plans(request: Request, unit: str | None = None) -> Response:
        """整改方案、工作方案: each unit's plans with the parts the notice names."""
        session, staff = await signed_in(request)
        chosen = await chosen_unit(request, staff, unit, "plans")
        allowed = readable_units(staff)
        return page(request, "plans.html", session, staff,
                    plans=await console.read(read_plans, chosen), chosen=chosen,
                    units=sorted(allowed or []), choose=allowed is None or len(allowed) > 1)

    @app.get("/calendar")
    async def calendar(request: Request) -> Response:
        session, staff = await signed_in(request)
        allowed = readable_units(staff)
        if allowed is not None and not allowed:
            await forbidden(request, staff, "calendar")
        duties = await console.read(views.calendar, today(), allowed)
        filing_units = sorted(u for u in staff.units("unit_leader") if u is not None)
        return page(request, "calendar.html", session, staff, duties=duties,
                    filing_units=filing_units, today=today(), Notice=Notice)

    @app.post("/units/file")
    async def file_ledger(request: Request) -> Response:
        """单位负责人 signs and sends the unit's ledger filing (the same command as the CLI's)."""
        session, staff = await signed_in(request)
        form = await checked_form(request, session)
        unit_name = str(form.get("unit") or "")
        if not may(staff, "unit.file", unit_name):
            await forbidden(request, staff, f"unit.file {unit_name}")
        try:
            command = SubmitFiling(unit=unit_name, actor=staff.name, via=Via.WEB,
                                   filing=Filing(str(form.get("filing") or "ledger")),
                                   phone=str(form.get("phone") or "").strip() or None)
        except ValueError as invalid:
            session.notice.append(("error", f"填写有误：{invalid}", f"invalid input: {invalid}"))
            return RedirectResponse("/calendar", status_code=303)
        assert session.token is not None
        before = await console.read(views.filed_at, unit_name, command.filing)
        reply = await console.backend.unit_command(session.token, command)
        if reply.get("ok"):
            async def shown() -> bool:
                return bool(before != await console.read(views.filed_at, unit_name,
                                                         command.filing))

            await _until(shown)
            session.notice.append(("ok", "已报送", "filed"))
        else:
            error = reply.get("error") or {}
            session.notice.append(("error", str(error.get("zh", "被拒绝")),
                                   str(error.get("en", "refused"))))
        return RedirectResponse("/calendar", status_code=303)

    @app.get("/notices")
    async def notices(request: Request) -> Response:
        """督办、通报: one list, whatever the target; a circular to all units with who has read
        it and who still owes a response."""
        session, staff = await signed_in(request)
        allowed = readable_units(staff)
        if allowed is not None and not allowed:
            await forbidden(request, staff, "notices")
        lines = await console.read(views.notice_list, allowed)
        broadcasts = await console.read(views.broadcast_list) if allowed is None else []
        return page(request, "notices.html", session, staff, lines=lines, broadcasts=broadcasts,
                    today=today())

    @app.post("/notices/{verb}")
    async def notice_action(request: Request, verb: str) -> Response:
        """Issue, mark read or answer an order or circular: the same commands as the CLI's."""
        session, staff = await signed_in(request)
        form = await checked_form(request, session)
        build = NOTICE_FORMS.get(verb)
        if build is None:
            raise _not_found()
        back = str(form.get("back") or "/notices")
        back = back if back.startswith("/") and not back.startswith("//") else "/notices"
        try:
            command = build(form, staff.name)
        except ActionRefusedError as refused:
            session.notice.append(("error", refused.zh, refused.en))
            return RedirectResponse(back, status_code=303)
        unit_name = await readable(request, staff, str(command.problem_id)) \
            if command.problem_id is not None else command.unit
        if not may(staff, f"notice.{verb}", unit_name):
            await forbidden(request, staff, f"notice.{verb} {unit_name or '全体单位'}")
        assert session.token is not None
        before = await console.read(views.notice_list, None)
        reply = await console.backend.notice_command(session.token, command)
        if not reply.get("ok"):
            error = reply.get("error") or {}
            session.notice.append(("error", str(error.get("zh", "被拒绝")),
                                   str(error.get("en", "refused"))))
            return RedirectResponse(back, status_code=303)

        async def shown() -> bool:
            return bool(before != await console.read(views.notice_list, None))

        await _until(shown)
        session.notice.append(("ok", "已记录", "recorded"))
        return RedirectResponse(back, status_code=303)

    # ---------------------------------------------------------- ledger import

    async def import_form(request: Request, session: BrowserSession, staff: Staff,
                          **preview: Any) -> Response:
        units = units_for(staff, "intake.import")
        if units == [] or console.intake_keys is None:
            await forbidden(request, staff, "intake.import")
        return page(request, "import.html", session, staff, units=units,
                    max_mb=MAX_LEDGER_BYTES // (1024 * 1024), **preview)

    @app.get("/import")
    async def import_page(request: Request) -> Response:
        """导入自查整改台账: upload the filled template, see what would be filed, confirm."""
        session, staff = await signed_in(request)
        return await import_form(request, session, staff)

    @app.post("/import")
    async def import_preview(request: Request) -> Response:
        session, staff = await signed_in(request)
        form = await checked_form(request, session)
        unit_name = str(form.get("unit") or "").strip()
        if not may(staff, "intake.import", unit_name):
            await forbidden(request, staff, f"intake.import {unit_name}")
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

    @app.post("/import/confirm")
    async def import_confirm(request: Request) -> Response:
        session, staff = await signed_in(request)
        form = await checked_form(request, session)
        upload = session.upload
        if upload is None or form.get("sha256") != upload.sha256:
            session.notice.append(("error", "没有待确认的台账，请重新上传",
                                   "no ledger is waiting to be confirmed: upload it again"))
            return RedirectResponse("/import", status_code=303)
        if not may(staff, "intake.import", upload.unit) or console.intake_keys is None:
            await forbidden(request, staff, f"intake.import {upload.unit}")
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
            return all([await console.read(views.unit_of, str(o.receipt.problem_id))
                        for o in outcomes])

        await _until(shown)
        new = sum(o.new for o in outcomes)
        proposed = sum(o.proposal == "proposed" for o in outcomes)
        session.notice.append((
            "ok", f"导入完成：新登记 {new} 个问题，已登记过 {len(outcomes) - new} 个；"
                  f"{proposed} 个整改方案（四定）待专项办确认；台账已报送",
            f"imported: {new} new problems, {len(outcomes) - new} already on record; "
            f"{proposed} proposals for the office to confirm; the ledger is filed"))
        return RedirectResponse(f"/ledger?unit={quote(upload.unit)}", status_code=303)

    @app.get("/trail")
    async def trail(request: Request) -> Response:
        """One's own accountability trail: what one did, and the figures of what one answers
        for (as the leader named in assignments, and one's units)."""
        session, staff = await signed_in(request)
        actions = await console.read(actions_of, staff.name)
        by_leader = await console.read(accountability, "leader", today())
        units = {u for u in staff.units("unit_leader", "unit_staff") if u is not None}
        by_unit = await console.read(accountability, "unit", today()) if units else []
        figures = [a for a in by_leader if a.who == staff.name]
        figures += [a for a in by_unit if a.who in units]
        return page(request, "trail.html", session, staff, actions=list(reversed(actions)),
                    figures=figures, event_label=event_label)

    @app.get("/spot-checks")
    async def spot_checks(request: Request) -> Response:
        session, staff = await signed_in(request)
        if readable_units(staff) is not None:
            await forbidden(request, staff, "spot-check list")
        answer = await console.backend.spot_checks()
        if not answer.get("ok"):
            error = answer.get("error") or {}
            session.notice.append(("error", str(error.get("zh", "暂时无法取得抽查名单")),
                                   str(error.get("en", "the list is not available"))))
        return page(request, "spot_checks.html", session, staff,
                    entries=answer.get("entries", []), answer=answer)

    @app.post("/spot-checks")
    async def select_for_spot_check(request: Request) -> Response:
        session, staff = await signed_in(request)
        form = await checked_form(request, session)
        unit_name = str(form.get("unit") or "")
        if not may(staff, "unit.spot-check", unit_name):
            await forbidden(request, staff, f"unit.spot-check {unit_name}")
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
            error = reply.get("error") or {}
            session.notice.append(("error", str(error.get("zh", "被拒绝")),
                                   str(error.get("en", "refused"))))
        return RedirectResponse("/spot-checks", status_code=303)

    @app.get("/board")
    async def board(request: Request) -> Response:
        session, staff = await signed_in(request)
        allowed = readable_units(staff)
        if allowed is not None and not allowed:
            await forbidden(request, staff, "board")
        shown = await console.read(read_board, today())
        extensions = await console.read(read_extension_requests, allowed, None, True)
        return page(request, "board.html", session, staff, board=shown, allowed=allowed,
                    extensions=extensions)

    return app


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


LEDGER_MODELS = ("ledger", "supervision")
"""What the ledger reads: the read models an as-of ledger rebuilds."""
SUMMARY_FILES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _summary_file(store: ReadStore, day: date, unit: str | None, kind: str, lang: Language,
                  template: Path) -> bytes:
    """The summary as ``rectify summary --format xlsx|docx`` writes it."""
    figures = read_summary(store, day, unit)
    if kind == "xlsx":
        return to_xlsx(figures, lang)
    context = document_context(figures, read_ledger(store, day, unit),
                               read_notices(store, unit), "")
    return to_docx(context, template)


def _as_of_day(text: str | None) -> date | None:
    """The day a ledger is asked as of, as people write it; a wrong date is a 404-free
    plain 'today' (the page says which day it shows)."""
    if not text or not text.strip():
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None


def _by_status(
    lines: list[views.ProblemLine],
) -> Callable[[ProblemStatus], list[views.ProblemLine]]:
    def of(status: ProblemStatus) -> list[views.ProblemLine]:
        return [p for p in lines if p.status is status]

    return of


def _local(target: str) -> str:
    """Only a path on this console (no other host) as the place to go after sign-in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _not_found() -> Exception:
    return HTTPException(404)


def _uuid(text: str) -> str:
    try:
        return str(UUID(text))
    except ValueError:
        raise _not_found() from None


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


async def _shown(console: Console, problem_id: str, version: int) -> None:
    """Wait (bounded) until the read models show the problem at ``version``."""
    async def shown() -> bool:
        return bool(await console.read(views.latest_version, problem_id) >= version)

    await _until(shown)


async def _until(shown: Callable[[], Awaitable[bool]]) -> None:
    """Wait, at most ``READ_YOUR_WRITE_SECONDS``, until the read models show a change."""
    deadline = time.monotonic() + READ_YOUR_WRITE_SECONDS
    while time.monotonic() < deadline:
        if await shown():
            return
        await asyncio.sleep(0.05)
