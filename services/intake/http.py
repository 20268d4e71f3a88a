"""The HTTP gateway: website form, JSON API (with OpenAPI) and the WeChat callback, one app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from services.intake.api import api_router, error_response
from services.intake.gateway import Gateway
from services.intake.i18n import field_reasons
from services.intake.limits import BodyLimit
from services.intake.open311 import open311_router
from services.intake.web import web_router
from services.intake.wechat import wechat_router
from services.runtime.config import IntakeSettings


def create_app(gateway: Gateway, settings: IntakeSettings) -> FastAPI:
    app = FastAPI(title="rectify 问题举报 / intake API", version="1",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)

    async def invalid(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return error_response(422, "提交内容有误，请按提示修改", "invalid report: see errors",
                              field_reasons(error.errors()))

    app.add_exception_handler(RequestValidationError, invalid)
    app.include_router(api_router(gateway, settings))
    app.include_router(open311_router(gateway, settings))
    app.include_router(web_router(gateway, settings))
    if settings.wechat_token:
        app.include_router(wechat_router(gateway, settings, settings.wechat_token))
    app.add_middleware(BodyLimit)
    return app


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside ``rectify up``: the process's own signal handlers stay in charge."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(app: FastAPI, host: str, port: int) -> AsyncIterator[str]:
    """Serve ``app`` until exit; yields the base URL (the real port when ``port`` is 0)."""
    server = _EmbeddedServer(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                            lifespan="off", access_log=False))
    task = asyncio.create_task(server.serve(), name="http")
    while not server.started:
        if task.done():
            task.result()  # why it could not start (e.g. the port is taken)
            raise RuntimeError(f"the HTTP server on {host}:{port} stopped at start")
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{host}:{bound[1]}"
    finally:
        server.should_exit = True
        await task
