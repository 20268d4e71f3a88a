"""Staff reports from the command line: prepared by the service for the signed-in person
(``services.intake.prepared``), then published to INTAKE with their tickets."""

from __future__ import annotations

from typing import Any

from nats.aio.client import Client

from events.subjects import HEADER_SESSION, INTAKE_TICKET_REQUEST
from events.vocabulary import Channel
from services.cli.client import UnreachableError
from services.cli.options import Session
from services.intake.prepared import NotPreparedError, Prepared, prepare


async def prepared_or_fail(session: Session, client: Client, channel: Channel, unit: str,
                           reports: list[dict[str, Any]]) -> tuple[str, list[Prepared]]:
    """The reports prepared by the service for the signed-in person (or, in local-admin mode,
    ``--as``) and that person's name; a refusal ends the command with its reason."""
    try:
        return await prepare(client, session.headers().get(HEADER_SESSION), channel, unit,
                             session.actor, reports)
    except NotPreparedError as refused:
        if refused.code == "unreachable":
            raise UnreachableError(INTAKE_TICKET_REQUEST) from None
        session.out.fail(refused.zh, refused.en, extra={"code": refused.code})
