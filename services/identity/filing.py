"""The filing desk (``auth.intake-ticket``): a signed-in person prepares reports to file
through INTAKE, and the service, which holds the reporter key, answers for each report its
intake id, the caller's contact sealed, its tracking number and the ticket casework checks.

So the CLI (``report``, ``hotline``, ``import``) and the JSON API's staff findings need no
reporter key, and what reaches INTAKE names its filer in a way casework can verify.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import nats
from pydantic import BaseModel, ConfigDict, Field, model_validator

from events.identity import problem_id_for
from events.subjects import INTAKE_TICKET_REQUEST
from events.vocabulary import Channel
from services.identity.guard import CommandGuard, intake_verb
from services.identity.service import _answering
from services.identity.tickets import IntakeTickets
from services.reporters.keys import IntakeKeys
from services.reporters.privacy import Contact, seal
from services.reporters.tracking import tracking_number

MAX_REPORTS = 5000
"""A ledger of a whole unit's self-inspection fits many times over."""


class Caller(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    phone: str | None = None


class ReportToFile(BaseModel):
    """One report: its intake id, or the filer's own number for it (a hotline ticket), which
    the service scopes to the filer; and who called, if anyone."""

    model_config = ConfigDict(extra="forbid")
    intake_id: str | None = Field(None, min_length=1, max_length=200)
    native_id: str | None = Field(None, min_length=1, max_length=1000)
    caller: Caller | None = None

    @model_validator(mode="after")
    def _one_id(self) -> ReportToFile:
        if (self.intake_id is None) == (self.native_id is None):
            raise ValueError("give intake_id or native_id, not both")
        return self


class TicketRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Channel
    unit: str = Field(min_length=1, max_length=200)
    filed_by: str = Field(min_length=1, max_length=200)
    """Whom the caller says files: the signed-in person (or ``--as`` in local-admin mode)."""
    reports: list[ReportToFile] = Field(min_length=1, max_length=MAX_REPORTS)


class FilingDesk:
    def __init__(self, guard: CommandGuard, keys: IntakeKeys, tickets: IntakeTickets) -> None:
        self.guard, self.keys, self.tickets = guard, keys, tickets

    def prepare(self, data: bytes, session: str | None) -> dict[str, Any]:
        """Check the session and the right to file on the unit (refusals are audited), then
        answer each report's intake id, sealed caller, tracking number and ticket."""
        request = TicketRequest.model_validate_json(data)
        channel = request.channel
        actor = self.guard.actor(session, request.filed_by, intake_verb(channel), request.unit,
                                 f"{channel.value}:{request.unit}")
        prepared = []
        for report in request.reports:
            intake_id = report.intake_id or self.keys.scoped(f"{channel.value}:{actor.name}",
                                                             str(report.native_id))
            caller = report.caller or Caller()
            reporter = seal(self.keys.cipher, Contact(name=caller.name, phone=caller.phone))
            problem_id = problem_id_for(channel, intake_id)
            prepared.append({
                "intake_id": intake_id, "problem_id": str(problem_id),
                "tracking": tracking_number(self.keys.tracking, problem_id),
                "ticket": self.tickets.issue(actor.person_id, channel.value, intake_id),
                "reporter": None if reporter is None else reporter.model_dump(mode="json")})
        return {"filed_by": actor.name, "reports": prepared}


@contextlib.asynccontextmanager
async def serving_filing_desk(nats_url: str, desk: FilingDesk) -> AsyncIterator[None]:
    """Answer ``auth.intake-ticket`` until the block ends."""
    client = await nats.connect(nats_url, name="rectify-filing-desk")
    try:
        await client.subscribe(INTAKE_TICKET_REQUEST, queue="identity",
                               cb=_answering(desk.prepare))
        yield
    finally:
        await client.drain()
