"""监督举报电话: what the hotline operator takes down becomes a submission.

The ticket number of the call, scoped by the service to the operator who took it down, is the
de-duplication id: a ticket typed in twice (or re-sent by a script) by its operator is one
problem, and a ticket number someone else used first cannot take the call over. The caller's
phone is captured and sealed by the service like every reporter's (``services.identity.filing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter, ValidationError

from events.submission import IntakeSubmission
from events.text import Phone
from events.vocabulary import Category, Channel
from services.intake.categorize import infer_category
from services.intake.prepared import Prepared


@dataclass(frozen=True)
class Call:
    """One call as the operator took it down."""

    ticket: str
    problem: str
    case: str
    unit: str
    operator: str
    caller_phone: str | None = None
    caller_name: str | None = None
    category: Category | None = None
    enterprise: str | None = None


_PHONE: TypeAdapter[str] = TypeAdapter(Phone)


class BadPhoneError(ValueError):
    """The caller's number is not a phone number (it is sealed, so checked before)."""


def check_phone(call: Call) -> None:
    """BadPhoneError unless the caller's phone (if given) is a phone number: it is sealed by
    the service, so checked before it goes there."""
    if call.caller_phone:
        try:
            _PHONE.validate_python(call.caller_phone)
        except ValidationError:
            raise BadPhoneError(call.caller_phone) from None


def call_submission(call: Call, prepared: Prepared, now: datetime) -> IntakeSubmission:
    """The submission for ``call`` as the service prepared it; ValidationError on a field."""
    return IntakeSubmission(
        channel=Channel.HOTLINE, intake_id=prepared.intake_id, unit=call.unit,
        category=call.category or infer_category(call.problem, call.case),
        problem=call.problem, case=call.case, enterprise=call.enterprise or None,
        submitted_at=now, filed_by=call.operator,
        reporter=prepared.reporter,
    )
