"""The intake gateways as services: parts of ``rectify up`` (``--without http`` / ``smtp``),
or on their own next to an existing NATS (``rectify gateway http smtp --nats-url …``)."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from services.intake.gateway import gateway
from services.intake.http import create_app, serving
from services.intake.http_process import HttpProcess
from services.intake.mailbox import Mailbox, smtp_server
from services.reporters.keys import IntakeKeys
from services.runtime.config import IntakeSettings, Settings
from services.runtime.context import PartContext

Service = Callable[[Settings, str, IntakeKeys, dict[str, str]],
                   AbstractAsyncContextManager[None]]


@contextlib.asynccontextmanager
async def http_service(settings: Settings, nats_url: str, keys: IntakeKeys,
                       endpoints: dict[str, str]) -> AsyncIterator[None]:
    """Website, JSON API, Open311 and WeChat callback on one port."""
    intake = settings.intake
    async with gateway(nats_url, keys) as gw, \
            serving(create_app(gw, intake), intake) as url:
        endpoints["http"] = url
        if intake.wechat_token:
            endpoints["wechat"] = f"{url}/wechat"
        yield


@contextlib.asynccontextmanager
async def smtp_service(settings: Settings, nats_url: str, keys: IntakeKeys,
                       endpoints: dict[str, str]) -> AsyncIterator[None]:
    """The report mailbox; acknowledgements name the website's lookup page when it runs."""
    intake = settings.intake
    async with gateway(nats_url, keys) as gw:
        handler = Mailbox(gw, intake, endpoints.get("http"))
        # Mail servers send at once; three request deadlines of silence is a stalled client.
        async with smtp_server(handler, intake.host, intake.smtp_port, tls_context(intake),
                               idle_timeout=3 * intake.request_timeout) as port:
            endpoints["smtp"] = f"smtp://{intake.host}:{port}"
            endpoints["mailbox"] = f"mailto:{intake.mailbox}"
            yield


def tls_context(settings: IntakeSettings) -> ssl.SSLContext | None:
    """STARTTLS for the mailbox from the configured certificate and key, if any."""
    if settings.tls_cert is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.tls_cert, settings.tls_key)
    return context


SERVICES: dict[str, Service] = {"http": http_service, "smtp": smtp_service}


def _part(service: Service) -> Callable[[PartContext], AbstractAsyncContextManager[None]]:
    def part(context: PartContext) -> AbstractAsyncContextManager[None]:
        # The embedded default: the first start generates the reporter key in the data dir.
        keys = IntakeKeys.for_settings(context.settings, create=True)
        return service(context.settings, context.nats_url, keys, context.endpoints)

    return part


@contextlib.asynccontextmanager
async def http_gateway(context: PartContext) -> AsyncIterator[None]:
    """The ``http`` service of ``rectify up``, in a process of its own (``http_process``)
    under the supervisor."""
    IntakeKeys.for_settings(context.settings, create=True)  # made before the child reads it
    child = HttpProcess(context.settings, context.nats_url)
    endpoints = await child.start()
    context.endpoints["http"] = endpoints["http"]
    if "wechat" in endpoints:
        context.endpoints["wechat"] = endpoints["wechat"]
    context.supervisor.start("http", child.run)
    try:
        yield
    finally:
        await context.supervisor.stop("http")
        await child.stop()


smtp_gateway = _part(smtp_service)
