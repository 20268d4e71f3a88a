"""The HTTP gateway: website form, JSON API (with OpenAPI) and the WeChat callback, one app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.intake.api import api_router, error_response
from services.intake.deadline import with_deadline
from services.intake.gateway import Gateway
from services.intake.headers import SecurityHeaders
from services.intake.i18n import field_reasons
from services.intake.limits import BodyLimit
from services.intake.methods import TruthfulAllow
from services.intake.open311 import open311_router
from services.intake.ratelimit import Limits, RateLimit
from services.intake.web import web_router
from services.intake.wechat import wechat_router
from services.runtime.config import IntakeSettings

KEEP_ALIVE_SECONDS = 65
"""How long an idle kept-alive connection stays open. Longer than clients and proxies keep one
idle (httpx 5 s, nginx's and load balancers' 60 s): at equal times the server closed a
connection just as a client sent its next request on it, and that request was lost to the client
(one ReadError in 12,000 reports at 200/s). A new connection must still finish its first request
within the request deadline (``deadline.py``), so idling costs an attacker a whole request."""

def create_app(gateway: Gateway, settings: IntakeSettings) -> FastAPI:
    app = FastAPI(title="rectify 问题举报 / intake API", version="1",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)

    async def invalid(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return error_response(422, "提交内容有误，请按提示修改", "invalid report: see errors",
                              field_reasons(error.errors()))

    async def unparsable(request: Request, error: Exception) -> Response:
        # FastAPI answers a body json.loads cannot read (nested too deep) with a bare 400;
        # the API documents such bodies as 422, with a reason like any invalid report.
        assert isinstance(error, StarletteHTTPException)
        if error.status_code == 400 and request.url.path.startswith("/api/"):
            return error_response(422, "提交内容无法解析", "the body cannot be parsed")
        return await http_exception_handler(request, error)

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, unparsable)
    app.openapi = lambda: _truthful_openapi(app)  # type: ignore[method-assign]
    app.include_router(api_router(gateway, settings))
    app.include_router(open311_router(gateway, settings))
    app.include_router(web_router(gateway, settings))
    limits = Limits(settings.filing_rate, settings.lookup_rate)
    if settings.wechat_token:
        app.include_router(wechat_router(gateway, settings, settings.wechat_token, limits))
    # Outermost last: headers on every answer, then rate limits before anything is read.
    app.add_middleware(BodyLimit)
    app.add_middleware(TruthfulAllow, routes=app.router.routes)
    app.add_middleware(RateLimit, limits=limits)
    app.add_middleware(SecurityHeaders)
    return app


def _truthful_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document without the 422 it adds to every operation with parameters: the GET
    operations take only strings, which cannot fail validation, so they never answer 422."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, routes=app.routes)
        for path in document["paths"].values():
            path.get("get", {}).get("responses", {}).pop("422", None)
        document.setdefault("components", {})["securitySchemes"] = {"staffSession": {
            "type": "http", "scheme": "bearer",
            "description": "a staff member's session token from `rectify login`"}}
        app.openapi_schema = document
    return app.openapi_schema


SHUTDOWN_GRACE_SECONDS = 5


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside ``rectify up``: the process's own signal handlers stay in charge."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(app: FastAPI, settings: IntakeSettings) -> AsyncIterator[str]:
    """Serve ``app`` until exit; yields the base URL (the real port when the port is 0).

    HTTPS when a certificate and key are configured; each request must arrive within
    ``request_timeout``; ``X-Forwarded-For`` is believed only from the configured proxy."""
    host, port, tls = settings.host, settings.http_port, settings.tls_cert is not None
    server = _EmbeddedServer(uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="off", access_log=False,
        http=with_deadline(settings.request_timeout), timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # Without a bound uvicorn waits for every open request at shutdown, so one browser
        # request still waiting would keep `rectify up` from stopping on SIGTERM.
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        ssl_certfile=settings.tls_cert, ssl_keyfile=settings.tls_key))
    task = asyncio.create_task(server.serve(), name="http")
    while not server.started:
        if task.done():
            task.result()  # why it could not start (e.g. the port is taken)
            raise RuntimeError(f"the HTTP server on {host}:{port} stopped at start")
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"{'https' if tls else 'http'}://{host}:{bound[1]}"
    finally:
        server.should_exit = True
        await task
