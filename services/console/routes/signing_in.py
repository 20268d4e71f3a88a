"""Signing in and out with a password (and a one-time code where the role asks for one), the
start page each role is sent to, and one's own account page (single sign-on: ``sso``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console.access import home
from services.console.backend import Staff
from services.console.browser import COOKIE
from services.console.web import Web, local_path


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    @router.get("/login")
    async def login_page(request: Request, next: str = "/") -> Response:
        session = web.browser(request)
        if session is None or session.token is not None:
            session = console.browsers.new()
        return web.page(
            request,
            "login.html",
            session,
            None,
            next=local_path(next),
            error=None,
            login="",
            ask_new_password=False,
        )

    @router.post("/login")
    async def login(request: Request) -> Response:
        session = web.browser(request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        form = await web.checked_form(request, session)
        name = str(form.get("login") or "").strip()
        target = local_path(str(form.get("next") or "/"))
        answer = await console.backend.login(
            name,
            str(form.get("password") or ""),
            str(form.get("totp") or "").strip() or None,
            str(form.get("new_password") or "") or None,
        )
        if not answer.get("ok"):
            error = answer.get("error") or {}
            return web.page(
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
        return web.with_cookie(
            RedirectResponse(target if target != "/" else home(staff), status_code=303), fresh
        )

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        session = web.browser(request)
        if session is not None:
            await web.checked_form(request, session)
            if session.token:
                await console.backend.logout(session.token)
            console.browsers.drop(session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/")
    async def start(request: Request) -> Response:
        _, staff = await web.signed_in(request)
        return RedirectResponse(home(staff), status_code=303)

    @router.get("/account")
    async def account(request: Request) -> Response:
        session, staff = await web.signed_in(request)
        return web.page(request, "account.html", session, staff)

    return router
