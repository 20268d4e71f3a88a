"""The intake gateways as parts of ``rectify up`` (``--without http`` / ``--without smtp``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from services.intake.gateway import gateway
from services.intake.http import create_app, serving
from services.intake.keys import IntakeKeys
from services.intake.mailbox import Mailbox, smtp_server

if TYPE_CHECKING:
    from services.runtime.process import Runtime


@contextlib.asynccontextmanager
async def http_gateway(runtime: Runtime) -> AsyncIterator[None]:
    """Website, JSON API and WeChat callback on one port."""
    settings = runtime.settings.intake
    keys = IntakeKeys.for_settings(runtime.settings, create=True)
    async with gateway(runtime.nats_url, keys) as gw, \
            serving(create_app(gw, settings), settings.host, settings.http_port) as url:
        runtime.endpoints["http"] = url
        if settings.wechat_token:
            runtime.endpoints["wechat"] = f"{url}/wechat"
        yield


@contextlib.asynccontextmanager
async def smtp_gateway(runtime: Runtime) -> AsyncIterator[None]:
    """The report mailbox; acknowledgements name the website's lookup page when it runs."""
    settings = runtime.settings.intake
    keys = IntakeKeys.for_settings(runtime.settings, create=True)
    async with gateway(runtime.nats_url, keys) as gw:
        handler = Mailbox(gw, settings, runtime.endpoints.get("http"))
        async with smtp_server(handler, settings.host, settings.smtp_port) as port:
            runtime.endpoints["smtp"] = f"smtp://{settings.host}:{port}"
            runtime.endpoints["mailbox"] = f"mailto:{settings.mailbox}"
            yield
