"""Who may read which business data (``auth.read``): asked by the CLI's reading commands
before they open the read models, answered by the guard (refusals audited)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import nats
from pydantic import BaseModel, ConfigDict, Field

from events.subjects import READ_REQUEST
from services.identity.guard import CommandGuard
from services.identity.service import Handler, _answering


class ReadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    what: str = Field(min_length=1, max_length=100)
    """The view asked for: ledger, board, trail, stats, summary, history, events."""
    unit: str | None = Field(None, max_length=200)
    """The unit it is limited to; None: every unit."""


def read_check(guard: CommandGuard) -> Handler:
    def check(data: bytes, session: str | None) -> dict[str, Any]:
        request = ReadRequest.model_validate_json(data)
        guard.reader(session, request.what, request.unit)
        return {}

    return check


@contextlib.asynccontextmanager
async def serving_read_check(nats_url: str, guard: CommandGuard) -> AsyncIterator[None]:
    """Answer ``auth.read`` until the block ends."""
    client = await nats.connect(nats_url, name="rectify-read-check")
    try:
        await client.subscribe(READ_REQUEST, queue="identity", cb=_answering(read_check(guard)))
        yield
    finally:
        await client.drain()
