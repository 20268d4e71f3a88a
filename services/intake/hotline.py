"""监督举报电话: what the hotline operator takes down becomes a submission.

The ticket number of the call, scoped to the operator who took it down, is the de-duplication
id: a ticket typed in twice (or re-sent by a script) by its operator is one problem, and a ticket
number someone else used first cannot take the call over. The caller's phone is captured,
sealed like every reporter's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter, ValidationError

from events.submission import IntakeSubmission
from events.text import Phone
from events.vocabulary import Category, Channel
from services.intake.categorize import infer_category
from services.intake.keys import IntakeKeys
from services.intake.privacy import Contact, seal


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


def call_submission(call: Call, keys: IntakeKeys, now: datetime) -> IntakeSubmission:
    """The submission for ``call``; raises BadPhoneError, or ValidationError on another field."""
    if call.caller_phone:
        try:
            _PHONE.validate_python(call.caller_phone)
        except ValidationError:
            raise BadPhoneError(call.caller_phone) from None
    return IntakeSubmission(
        channel=Channel.HOTLINE, intake_id=keys.scoped(f"hotline:{call.operator}", call.ticket),
        unit=call.unit,
        category=call.category or infer_category(call.problem, call.case),
        problem=call.problem, case=call.case, enterprise=call.enterprise or None,
        submitted_at=now, filed_by=call.operator,
        reporter=seal(keys.cipher, Contact(name=call.caller_name, phone=call.caller_phone)),
    )
