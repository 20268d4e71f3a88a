"""Stream names, subjects, consumer names and header names: every NATS name in one place."""

from __future__ import annotations

import re

from events.vocabulary import Channel

INTAKE_STREAM = "INTAKE"
EVENTS_STREAM = "EVENTS"
REJECTED_STREAM = "REJECTED"

INTAKE_SUBJECTS = "intake.>"
EVENTS_SUBJECTS = "events.>"
REJECTED_SUBJECTS = "rejected.>"

CASEWORK_DURABLE = "casework"
"""The durable pull consumer through which casework reads INTAKE."""

ANSWERS_DURABLE = "answers"
"""The durable pull consumer through which the answers part reads ReporterAnswered from EVENTS."""

COMMAND_PREFIX = "cmd.problem."
UNIT_COMMAND_PREFIX = "cmd.unit."
NOTICE_COMMAND_PREFIX = "cmd.notice."
"""Orders and circulars (督办、通报), on a problem or a unit: issue, read, respond."""
QUERY_PREFIX = "query."
STATUS_QUERY = "query.status"
HISTORY_QUERY = "query.problem.history"
PROBLEM_QUERY = "query.problem.get"
TRACKING_QUERY = "query.problem.tracking"
"""A tracking number → the problem it names; casework keeps the index from its event store."""
SPOT_CHECK_QUERY = "query.supervision.spot-check"
WATCHDOG_QUERY = "query.supervision.watchdog"
REPAIR_COMMAND = "admin.repair"
"""Compare EVENTS with the event store and, asked to, make it again from the store."""

LOGIN_REQUEST = "auth.login"
LOGOUT_REQUEST = "auth.logout"
WHOAMI_REQUEST = "auth.whoami"
SSO_BEGIN_REQUEST = "auth.sso-begin"
"""Single sign-on: where to send the person (one token after ``auth.``, as the users' ``auth.*``
permission allows)."""
SSO_FINISH_REQUEST = "auth.sso-finish"
SSO_TOTP_REQUEST = "auth.sso-totp"
STAFF_COMMAND_PREFIX = "cmd.staff."
STAFF_QUERY = "query.staff.list"
AUDIT_QUERY = "query.audit"
REPORTER_UNMASK_QUERY = "query.reporter.unmask"
READ_REQUEST = "auth.read"
"""May the signed-in person read this view of this unit (``services.identity.reading``)?"""
INTAKE_TICKET_REQUEST = "auth.intake-ticket"
"""A signed-in person asks to file reports through INTAKE: the service answers each report's
intake id, sealed caller, tracking number and the ticket casework checks when filing it."""

HEADER_INTAKE_TICKET = "Rectify-Intake-Ticket"
"""On a staff member's INTAKE message: who filed it, as the service vouched
(``auth.intake-ticket``)."""
HEADER_SESSION = "Rectify-Session"
"""A signed-in person's session token on every staff request; casework checks it."""
HEADER_MSG_ID = "Nats-Msg-Id"
HEADER_EXPECTED_LAST_SEQUENCE = "Nats-Expected-Last-Sequence"
HEADER_EVENT_TYPE = "Rectify-Event-Type"
HEADER_EVENT_VERSION = "Rectify-Event-Version"
HEADER_PROBLEM_ID = "Rectify-Problem-Id"
HEADER_PROBLEM_VERSION = "Rectify-Problem-Version"
HEADER_UNIT_ID = "Rectify-Unit-Id"
HEADER_UNIT_VERSION = "Rectify-Unit-Version"
HEADER_POSITION = "Rectify-Position"
HEADER_SEAL = "Rectify-Seal"
HEADER_REJECTION_REASON = "Rectify-Rejection-Reason"
HEADER_REJECTION_DETAIL = "Rectify-Rejection-Detail"
HEADER_ORIGINAL_SUBJECT = "Rectify-Original-Subject"
HEADER_ORIGINAL_SHA256 = "Rectify-Original-Sha256"
HEADER_ORIGINAL_SIZE = "Rectify-Original-Size"
"""On a REJECTED entry whose body keeps only the first bytes of a larger original."""
HEADER_SEALED = "Rectify-Sealed"
"""On a REJECTED entry from a public door: the body is sealed with the reporter key."""

_NOT_IN_A_TOKEN = re.compile(r"[\s.*>]+")


def subject_token(text: str) -> str:
    """``text`` made safe as one subject token (no dots, wildcards or white space)."""
    return _NOT_IN_A_TOKEN.sub("_", text.strip()) or "_"


def intake_subject(channel: Channel) -> str:
    return f"intake.{channel.value}"


def event_subject(unit: str, event_type: str) -> str:
    return f"events.{subject_token(unit)}.{event_type}"


def events_of_type(event_type: str) -> str:
    """Every unit's events of one type: ``events.*.<EventType>``."""
    return f"events.*.{event_type}"


def rejected_subject(source: str) -> str:
    return f"rejected.{subject_token(source)}"


def command_subject(verb: str) -> str:
    return f"{COMMAND_PREFIX}{verb}"


def staff_command_subject(verb: str) -> str:
    return f"{STAFF_COMMAND_PREFIX}{verb}"


def unit_command_subject(verb: str) -> str:
    return f"{UNIT_COMMAND_PREFIX}{verb}"


def notice_command_subject(verb: str) -> str:
    return f"{NOTICE_COMMAND_PREFIX}{verb}"
