"""What every route does with a request: find the browser's session and the signed-in person,
render a page (with the CSRF token, the notices and the session cookie), check a form's CSRF
token, refuse with a 403 that the audit log records, and find which unit a problem belongs to
(refused when the person may not read it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from services.clock import system_clock
from services.console import views
from services.console.access import may, readable_units
from services.console.backend import Staff
from services.console.browser import COOKIE, BrowserSession
from services.console.context import Console
from services.console.pages import render
from services.console.waiting import until


class SignInNeededError(Exception):
    """No live identity session behind this browser: to the sign-in page."""


class ForbiddenError(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def not_found() -> Exception:
    return HTTPException(404)


def say_refused(session: BrowserSession, reply: dict[str, Any]) -> None:
    """A service's refusal, in its own words, said on the next page."""
    error = reply.get("error") or {}
    session.notice.append(("error", str(error.get("zh", "被拒绝")),
                           str(error.get("en", "refused"))))


def local_path(target: str) -> str:
    """Only a path on this console (no other host) as the place to go after sign-in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def problem_uuid(text: str) -> str:
    """A problem id from the URL, as the read models write it; not one: 404."""
    try:
        return str(UUID(text))
    except ValueError:
        raise not_found() from None


@dataclass(frozen=True)
class Web:
    console: Console

    def browser(self, request: Request) -> BrowserSession | None:
        return self.console.browsers.get(request.cookies.get(COOKIE))

    async def signed_in(self, request: Request) -> tuple[BrowserSession, Staff]:
        session = self.browser(request)
        if session is None or session.token is None:
            raise SignInNeededError
        staff = await self.console.backend.whoami(session.token)
        if staff is None:
            self.console.browsers.drop(session)
            raise SignInNeededError
        return session, staff

    def with_cookie(self, response: Response, session: BrowserSession) -> Response:
        response.set_cookie(
            COOKIE,
            session.sid,
            httponly=True,
            samesite="strict",
            secure=self.console.secure_cookie,
            path="/",
        )
        return response

    def page(
        self,
        request: Request,
        template: str,
        session: BrowserSession,
        staff: Staff | None,
        status_code: int = 200,
        **context: Any,
    ) -> Response:
        notices, session.notice = session.notice, []
        return self.with_cookie(
            render(
                request,
                template,
                status_code,
                csrf=session.csrf,
                staff=staff,
                notices=notices,
                may=may,
                sso=self.console.sso,
                **context,
            ),
            session,
        )

    async def checked_form(self, request: Request, session: BrowserSession) -> FormData:
        form = await request.form()
        sent = form.get("csrf")
        if not session.csrf_matches(sent if isinstance(sent, str) else None):
            raise ForbiddenError("csrf")
        return form

    async def reader(self, request: Request,
                     what: str) -> tuple[BrowserSession, Staff, set[str] | None]:
        """A signed-in person who may read ``what`` of some unit at least, and the units they
        read (None: every unit)."""
        session, staff = await self.signed_in(request)
        allowed = readable_units(staff)
        if allowed is not None and not allowed:
            await self.forbidden(request, staff, what)
        return session, staff, allowed

    async def unit_form(self, request: Request,
                        verb: str) -> tuple[BrowserSession, Staff, FormData, str]:
        """A signed-in person's form about the unit it names, if they may ``verb`` on it."""
        session, staff = await self.signed_in(request)
        form = await self.checked_form(request, session)
        unit_name = str(form.get("unit") or "")
        if not may(staff, verb, unit_name):
            await self.forbidden(request, staff, f"{verb} {unit_name}")
        return session, staff, form, unit_name

    async def forbidden(self, request: Request, staff: Staff, what: str) -> Response:
        """A 403 page, and a security event in the audit log."""
        await asyncio.to_thread(
            self.console.audit.record,
            system_clock(),
            "console-access",
            "refused",
            actor_id=staff.person_id,
            actor=staff.name,
            target=what,
            detail=f"{request.method} {request.url.path}",
        )
        raise ForbiddenError(what)

    async def readable(self, request: Request, staff: Staff, problem_id: str) -> str:
        """The problem's unit, if the person may read it (403 if not, 404 if no such problem)."""
        console = self.console
        unit_name = await console.read(views.unit_of, problem_id)
        if unit_name is None and await console.backend.recorded(problem_id):
            async def projected() -> bool:  # filed a moment ago: the read side catches up
                return await console.read(views.unit_of, problem_id) is not None

            await until(projected)
            unit_name = await console.read(views.unit_of, problem_id)
        if unit_name is None:
            raise not_found()
        allowed = readable_units(staff)
        if allowed is not None and unit_name not in allowed:
            await self.forbidden(request, staff, f"problem {problem_id} ({unit_name})")
        return str(unit_name)
