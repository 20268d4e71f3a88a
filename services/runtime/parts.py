"""The optional parts of ``rectify up``, each switched off with ``--without NAME``.

A part is an async context manager over the running core (NATS, casework, relay, read store):
it starts on entry, may publish its address in ``runtime.endpoints``, and stops on exit. Parts
start in the order listed here and stop in reverse.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from projections.engine.service import run_projections
from services.answers.parts import answers
from services.console.part import console
from services.intake.parts import http_gateway, smtp_gateway
from services.runtime.faults import is_passing
from services.supervision.parts import supervision, watchdog

if TYPE_CHECKING:
    from services.runtime.process import Runtime

Part = Callable[["Runtime"], AbstractAsyncContextManager[None]]


@contextlib.asynccontextmanager
async def projections(runtime: Runtime) -> AsyncIterator[None]:
    """Every read model kept up to date with EVENTS; a halt is an alarm, not a silent skip."""
    runtime.supervisor.start("projections", lambda: run_projections(
        runtime.js, runtime.read_store, runtime.relay.key, passing=is_passing))
    try:
        yield
    finally:
        await runtime.supervisor.stop("projections")


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
