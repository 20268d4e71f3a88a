"""The optional parts of ``rectify up``, each switched off with ``--without NAME``.

A part is an async context manager over its ``PartContext`` (its own NATS user's address and
what it may use of the running core): it starts on entry, may publish its address in
``context.endpoints``, and stops on exit. Parts start in the order listed here and stop in
reverse.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import nats

from projections.engine.service import run_projections
from services.answers.parts import answers
from services.console.part import console
from services.intake.parts import http_gateway, smtp_gateway
from services.runtime.context import PartContext
from services.runtime.faults import is_passing
from services.supervision.parts import supervision, watchdog

Part = Callable[[PartContext], AbstractAsyncContextManager[None]]


@contextlib.asynccontextmanager
async def projections(context: PartContext) -> AsyncIterator[None]:
    """Every read model kept up to date with EVENTS; a halt is an alarm, not a silent skip."""
    client = await nats.connect(context.nats_url, name="rectify-projections")
    context.supervisor.start("projections", lambda: run_projections(
        client.jetstream(), context.read_store, context.seal_key, passing=is_passing))
    try:
        yield
    finally:
        await context.supervisor.stop("projections")
        await client.close()


PARTS: dict[str, Part] = {
    "projections": projections,
    "http": http_gateway,
    "smtp": smtp_gateway,
    "supervision": supervision,
    "watchdog": watchdog,
    "answers": answers,
    "console": console,
}
"""Every optional part by name, in start order."""
