"""``rectify repair`` answered by the running ``rectify up``: it holds the store, the relay and
the tasks that must pause while EVENTS is made again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import nats
from nats.js import JetStreamContext
from pydantic import BaseModel

from services.relay.repair import restore, survey
from services.runtime.context import Runtime

log = logging.getLogger(__name__)


class RepairRequest(BaseModel):
    apply: bool = False


@contextlib.asynccontextmanager
async def as_admin(runtime: Runtime) -> AsyncIterator[JetStreamContext]:
    """A connection of the ``admin`` user: only it may delete and make streams."""
    client = await nats.connect(runtime.url_for("admin"), name="rectify-repair")
    try:
        yield client.jetstream()
    finally:
        await client.close()


def repair_handler(runtime: Runtime) -> Callable[[RepairRequest], Awaitable[dict[str, Any]]]:
    one_at_a_time = asyncio.Lock()

    async def on_repair(request: RepairRequest) -> dict[str, Any]:
        async with one_at_a_time:
            found = await survey(runtime.relay)
            answer: dict[str, Any] = {
                "ok": True, "store_position": found.store_position,
                "stream_last": found.stream_last, "counts": dict(found.counts),
                "differences": [vars(d) for d in found.shown], "applied": False}
            if request.apply:
                try:
                    async with as_admin(runtime) as admin:
                        answer["rebuilt_to"] = await restore(
                            runtime.relay, runtime.supervisor, runtime.read_store, admin=admin)
                except Exception as failed:  # said to the caller, not lost in a log
                    log.exception("repair failed")
                    return {**answer, "ok": False, "error": {
                        "zh": f"修复未完成（{failed!r}）：请再次运行 rectify repair --apply",
                        "en": f"repair did not finish ({failed!r}): run "
                              "`rectify repair --apply` again"}}
                answer["applied"] = True
                log.warning("repair: EVENTS made again from the store, read models rebuilt "
                            "to %d", answer["rebuilt_to"])
            return answer

    return on_repair
