"""The console application: security headers, static files, the error pages and the routers of
``services.console.routes``, one module an area.

Every POST carries the form's CSRF token; every action is one staff command sent with the
signed-in person's identity session (``via: web``), then the page waits until the read models
show it, so what the person sees after pressing a button includes what they did.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from services.console.backend import IdentityUnreachableError
from services.console.context import Console
from services.console.routes import (
    calendar,
    home_pages,
    ledger_import,
    notices,
    problems,
    reading,
    reporter,
    search,
    signing_in,
    sso,
    supervision,
)
from services.console.web import ForbiddenError, SignInNeededError, Web
from services.intake.headers import SecurityHeaders

STATIC = Path(__file__).parent / "static"
ROUTERS = (signing_in, sso, home_pages, reporter, problems, search, reading, calendar, notices,
           ledger_import, supervision)
"""In this order: ``reporter``'s /problems/{id}/unmask before the forms' /problems/{id}/{verb}."""


def create_app(console: Console) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    web = Web(console)

    @app.exception_handler(SignInNeededError)
    async def to_sign_in(request: Request, _: Exception) -> Response:
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(ForbiddenError)
    async def refused(request: Request, error: Exception) -> Response:
        session = web.browser(request) or console.browsers.new()
        return web.page(request, "forbidden.html", session, None, 403)

    @app.exception_handler(IdentityUnreachableError)
    async def unavailable(request: Request, _: Exception) -> Response:
        session = web.browser(request) or console.browsers.new()
        return web.page(request, "unavailable.html", session, None, 503)

    @app.exception_handler(404)
    async def missing(request: Request, _: Exception) -> Response:
        session = web.browser(request) or console.browsers.new()
        return web.page(request, "missing.html", session, None, 404)

    for area in ROUTERS:
        app.include_router(area.router(web))
    return app
