"""What every gateway does: publish a submission, wait until stored, give the tracking number.

Also what it does with what it cannot file (REJECTED, with the reason) and how it answers a
reporter asking about their own report.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import nats
from nats.aio.client import Client

from events.identity import intake_key, problem_id_for
from events.subjects import (
    HEADER_INTAKE_TICKET,
    HEADER_MSG_ID,
    HEADER_ORIGINAL_SHA256,
    HEADER_ORIGINAL_SIZE,
    HEADER_ORIGINAL_SUBJECT,
    HEADER_REJECTION_DETAIL,
    HEADER_REJECTION_REASON,
    HEADER_SEALED,
    HISTORY_QUERY,
    PROBLEM_QUERY,
    TRACKING_QUERY,
    intake_subject,
    rejected_subject,
)
from events.submission import IntakeSubmission
from events.vocabulary import ProblemStatus
from services.casework.intake import FieldError, SubmissionRejectedError
from services.reporters.keys import IntakeKeys
from services.reporters.tracking import formatted, normalize, tracking_number

RECENT_RECEIPTS = 10_000
"""How many of its last tracking numbers a gateway keeps in memory (about a megabyte)."""
MAX_REJECTED_BYTES = 7 * 1024 * 1024
"""What REJECTED keeps of one original at most: its messages are at most 8 MiB, headers too."""


@dataclass(frozen=True)
class Receipt:
    """What the sender is told: their tracking number (and, for staff, the problem id)."""

    tracking: str
    problem_id: UUID


@dataclass(frozen=True)
class Answer:
    """件件有回音: one answer given to the reporter."""

    message: str
    answered_at: datetime


@dataclass(frozen=True)
class ReportStatus:
    """What a reporter may learn about their own report: its status and the answers, no more."""

    tracking: str
    status: ProblemStatus | None
    """None: received and stored, not yet registered as a problem."""
    answers: tuple[Answer, ...] = ()


class Gateway:
    """One NATS connection shared by a process's gateways."""

    def __init__(self, client: Client, keys: IntakeKeys) -> None:
        self.client, self.keys = client, keys
        self.js = client.jetstream()
        self.recent: OrderedDict[str, UUID] = OrderedDict()
        """The numbers this gateway gave last, so that a lookup at once (the website's
        confirmation page) finds its report before casework has filed it."""

    def receipt_for(self, submission: IntakeSubmission) -> Receipt:
        problem_id = problem_id_for(submission.channel, submission.intake_id)
        return Receipt(tracking_number(self.keys.tracking, problem_id), problem_id)

    async def file(self, submission: IntakeSubmission, ticket: str | None = None) -> Receipt:
        """Publish and wait for JetStream's acknowledgement: nothing is answered unstored.
        ``ticket``: a staff member's filing, as the service prepared it (``intake.prepared``).

        Casework finds the report by its tracking number once it is filed (``find``); this
        gateway's own lookups find it at once (``recent``), another's a moment later."""
        receipt = self.receipt_for(submission)
        headers = {HEADER_MSG_ID: intake_key(submission.channel, submission.intake_id)}
        if ticket is not None:
            headers[HEADER_INTAKE_TICKET] = ticket
        await self.js.publish(intake_subject(submission.channel),
                              submission.model_dump_json().encode(), headers=headers)
        self._remember(receipt)
        return receipt

    def _remember(self, receipt: Receipt) -> None:
        code = normalize(receipt.tracking)
        assert code is not None, receipt.tracking
        self.recent[code] = receipt.problem_id
        self.recent.move_to_end(code)
        while len(self.recent) > RECENT_RECEIPTS:
            self.recent.popitem(last=False)

    async def reject(self, source: str, original: bytes, why: SubmissionRejectedError) -> None:
        """Keep what could not be filed in REJECTED, with the reason, as casework does.

        What the public sent may hold a reporter's address and phone, so the body is sealed
        with the reporter key (``Rectify-Sealed``); the reason and the SHA-256 of the original
        bytes stay readable, and the hash is the de-duplication id. Of an original larger than
        the stream takes, the first ``MAX_REJECTED_BYTES`` are kept (``Rectify-Original-Size``
        says how large it was)."""
        digest = hashlib.sha256(original).hexdigest()
        headers = {
            HEADER_MSG_ID: f"{source}:sha256:{digest}",
            HEADER_ORIGINAL_SUBJECT: f"{source}:sha256:{digest}",
            HEADER_ORIGINAL_SHA256: digest,
            HEADER_SEALED: "reporter-key",
            HEADER_REJECTION_REASON: _one_line(why.en.encode("ascii", "backslashreplace")
                                               .decode()),
            HEADER_REJECTION_DETAIL: _one_line(why.detail_json(), 16000),
        }
        if len(original) > MAX_REJECTED_BYTES:  # REJECTED takes 8 MiB a message
            headers[HEADER_ORIGINAL_SIZE] = str(len(original))
            original = original[:MAX_REJECTED_BYTES]
        sealed = self.keys.cipher.encrypt(original)
        await self.js.publish(rejected_subject(source), sealed, headers=headers)

    async def status(self, tracking: str) -> ReportStatus | None:
        """The report's status and answers, or None when no report has this number."""
        code = normalize(tracking)
        problem_id = None if code is None else self.recent.get(code) or await self.find(code)
        if code is None or problem_id is None:
            return None
        tracking = formatted(code)
        problem = await self._ask(PROBLEM_QUERY, {"problem_id": str(problem_id)})
        if not problem.get("ok"):
            return ReportStatus(tracking, None)
        history = await self._ask(HISTORY_QUERY, {"problem_id": str(problem_id)})
        answers = tuple(
            Answer(event["message"], datetime.fromisoformat(event["occurred_at"]))
            for event in history.get("events", []) if event["type"] == "ReporterAnswered"
        )
        return ReportStatus(tracking, ProblemStatus(problem["status"]), answers)

    async def find(self, code: str) -> UUID | None:
        """The filed problem whose tracking number has these 8 characters, as casework knows."""
        found = await self._ask(TRACKING_QUERY, {"tracking": formatted(code)})
        return UUID(found["problem_id"]) if found.get("ok") else None

    async def _ask(self, subject: str, query: dict[str, str]) -> dict[str, Any]:
        body = json.dumps(query).encode()
        reply = await self.client.request(subject, body, timeout=10)
        decoded: dict[str, Any] = json.loads(reply.data)
        return decoded


def rejection(zh: str, en: str, *errors: tuple[str, str]) -> SubmissionRejectedError:
    return SubmissionRejectedError(zh, en, tuple(FieldError(f, m) for f, m in errors))


def _one_line(text: str, limit: int = 4000) -> str:
    """Header values are one ASCII line: fold line breaks, bound the length."""
    return " ".join(text.split())[:limit]


@asynccontextmanager
async def gateway(nats_url: str, keys: IntakeKeys) -> AsyncIterator[Gateway]:
    client = await nats.connect(nats_url, name="rectify-intake")
    try:
        yield Gateway(client, keys)
    finally:
        await client.drain()
