"""统一身份认证 single sign-on, where a provider is configured: to the provider and back, and an
administrator's one-time code after it (等保: two factors)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.clock import system_clock
from services.console.access import home
from services.console.backend import Staff
from services.console.sso import CALLBACK_PATH, PENDING_SECONDS, ConsoleSso
from services.console.sso import COOKIE as SSO_COOKIE
from services.console.web import Web, local_path, not_found
from services.identity.oidc import pkce_pair


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    def sso_on() -> ConsoleSso:
        if console.sso is None:
            raise not_found()
        return console.sso

    def sso_refused(request: Request, error: dict[str, str], target: str,
                    ended: bool = True) -> Response:
        """The sign-in page with why; ``ended``: this browser's sign-in under way is over (a
        forged callback does not end the real one)."""
        response = web.page(request, "login.html", console.browsers.new(), None, next=target,
                            error=error, login="", ask_new_password=False)
        if ended:
            response.delete_cookie(SSO_COOKIE, path="/login/sso")
        return response

    def sso_signed_in(request: Request, answer: dict[str, Any], target: str) -> Response:
        fresh = console.browsers.signed_in(web.browser(request) or console.browsers.new(),
                                           str(answer["token"]))
        staff = Staff.from_json(answer["person"])
        response = web.page(request, "signing_in.html", fresh, None,
                            target=target if target != "/" else home(staff))
        response.delete_cookie(SSO_COOKIE, path="/login/sso")
        return response

    @router.get("/login/sso")
    async def sso_start(request: Request, next: str = "/") -> Response:
        """To the provider (a link, not a form: the CSP's form-action stays 'self')."""
        sso, target = sso_on(), local_path(next)
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

    @router.get(CALLBACK_PATH)
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
            response = web.page(request, "sso_totp.html", session, None, error=None,
                                name=answer["person"]["name"])
            response.delete_cookie(SSO_COOKIE, path="/login/sso")
            return response
        return sso_signed_in(request, answer, started.next)

    @router.post("/login/sso/totp")
    async def sso_totp(request: Request) -> Response:
        """An administrator's one-time code after single sign-on (等保: two factors)."""
        sso, session = sso_on(), web.browser(request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        form = await web.checked_form(request, session)
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
                return web.page(request, "sso_totp.html", session, None, error=error, name="")
            sso.done(session.sid)
            return sso_refused(request, error, awaiting.next)
        sso.done(session.sid)
        return sso_signed_in(request, answer, awaiting.next)

    return router
