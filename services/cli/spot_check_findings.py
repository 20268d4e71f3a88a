"""A spot check's findings filed as problems, through intake like any report, by the spot-check
channel (重点抽查): the staff member who records the spot check files them."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from events.identity import staff_intake_id
from events.submission import IntakeSubmission
from events.vocabulary import Category, Channel
from services.cli.client import connected, file_submission
from services.cli.filing import prepared_or_fail
from services.cli.options import Session
from services.cli.sending import fail_invalid
from services.clock import system_clock


def finding_intake_id(unit: str, problem: str) -> str:
    """The same finding of the same unit, filed again (a retried command), is the same report."""
    digest = hashlib.sha256(f"{unit}\n{problem}".encode()).hexdigest()[:16]
    return f"spot-check-{digest}"


def file_finding(session: Session, unit: str, problem: str, category: Category,
                 case: str) -> UUID:
    """File one finding as a spot-check report of ``unit``; its problem id."""
    intake_id = staff_intake_id(session.actor, finding_intake_id(unit, problem))

    async def send() -> dict[str, Any]:
        async with connected(session.url()) as client:
            # Prepared by the service for the signed-in person: casework files it as them.
            filer, [ready] = await prepared_or_fail(session, client, Channel.SPOT_CHECK, unit,
                                                    [{"intake_id": intake_id}])
            try:
                submission = IntakeSubmission(
                    channel=Channel.SPOT_CHECK, unit=unit, intake_id=ready.intake_id,
                    category=category, problem=problem, case=case,
                    submitted_at=system_clock(), filed_by=filer)
            except ValidationError as invalid:
                fail_invalid(session, invalid)
            return await file_submission(client, submission, ready.ticket)

    answer = session.run(send())
    if not answer.get("ok"):
        session.out.fail("抽查发现的问题已提交，但未在时限内登记，请用 rectify status 检查",
                         "a finding was submitted but not recorded in time; check `rectify status`")
    return UUID(str(answer["problem_id"]))
