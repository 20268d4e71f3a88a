"""Staff reports prepared by the service before they go to INTAKE (``auth.intake-ticket``):
the caller's contact sealed, the intake id, the tracking number, and the ticket that tells
casework who files. Used by the CLI (``report``, ``hotline``, ``import``) and the JSON API."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from nats.aio.client import Client
from nats.errors import NoRespondersError

from events.lifecycle import Reporter
from events.subjects import HEADER_SESSION, INTAKE_TICKET_REQUEST
from events.vocabulary import Channel

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Prepared:
    """One report, ready to publish with its ticket."""

    intake_id: str
    problem_id: UUID
    tracking: str
    ticket: str
    reporter: Reporter | None


class NotPreparedError(Exception):
    """The service refused (not signed in, no right to file on the unit) or did not answer."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


async def prepare(client: Client, session: str | None, channel: Channel, unit: str,
                  filed_by: str, reports: list[dict[str, Any]]) -> tuple[str, list[Prepared]]:
    """Who files (as the service knows them) and each report prepared, in order. ``reports``:
    ``{"intake_id": …}`` or ``{"native_id": …}``, each with an optional ``caller``."""
    body = json.dumps({"channel": channel.value, "unit": unit, "filed_by": filed_by,
                       "reports": reports}, ensure_ascii=False).encode()
    try:
        reply = await client.request(INTAKE_TICKET_REQUEST, body, timeout=TIMEOUT_SECONDS,
                                     headers={HEADER_SESSION: session} if session else None)
    except (NoRespondersError, TimeoutError):
        raise NotPreparedError("unreachable", "rectify 暂未应答，请稍后再试",
                               "rectify did not answer: try again later") from None
    answer = json.loads(reply.data)
    if not answer.get("ok"):
        error = answer.get("error") or {}
        raise NotPreparedError(str(error.get("code", "refused")), str(error.get("zh", "被拒绝")),
                               str(error.get("en", "refused")))
    return str(answer["filed_by"]), [
        Prepared(str(r["intake_id"]), UUID(r["problem_id"]), str(r["tracking"]), str(r["ticket"]),
                 None if r["reporter"] is None else Reporter.model_validate(r["reporter"]))
        for r in answer["reports"]]
