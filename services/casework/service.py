"""The casework service on NATS: intake from JetStream, staff commands and queries by request/reply.

Intake is consumed in batches from a durable pull consumer: each batch is validated, filed in
one event-store transaction, and only then acknowledged. What fails validation is published to
REJECTED (original bytes, subject, reasons) and acknowledged only once JetStream has it.

The intake loop uses nats-py's pull subscription directly rather than FastStream's batch
subscriber: nats-py can raise a plain ``asyncio.TimeoutError`` from ``fetch``, which FastStream
0.7's batch loop does not catch, so its consume task died holding a fetched, unacknowledged
batch. Here every timeout is an idle poll, and a lost connection is waited out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from uuid import UUID

from faststream.nats import NatsMessage, NatsRouter
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig
from pydantic import BaseModel, Field, ValidationError

from events.commands import COMMAND_ADAPTER, ErrorInfo, Reply
from events.identity import problem_id_for
from events.subjects import (
    CASEWORK_DURABLE,
    COMMAND_PREFIX,
    HEADER_MSG_ID,
    HEADER_ORIGINAL_SUBJECT,
    HEADER_REJECTION_DETAIL,
    HEADER_REJECTION_REASON,
    HISTORY_QUERY,
    INTAKE_STREAM,
    INTAKE_SUBJECTS,
    PROBLEM_QUERY,
    TRACKING_QUERY,
    rejected_subject,
)
from events.submission import IntakeSubmission
from services.casework.application import Casework
from services.casework.errors import DomainError
from services.casework.intake import SubmissionRejectedError, read_submission
from services.casework.replies import read_command, refusal
from services.casework.store_thread import StoreThread
from services.identity.errors import IdentityError
from services.identity.guard import Actor, CommandGuard, session_of, ticket_of
from services.identity.tickets import IntakeTickets
from services.reporters.tracking import normalize
from services.runtime.faults import is_passing

log = logging.getLogger(__name__)

INTAKE_BATCH = 256
INTAKE_ACK_WAIT_SECONDS = 5.0
"""A delivery lost between client and server comes again after ack_wait: keep it short."""
IDLE_POLL_SECONDS = 0.05
"""How long one fetch of INTAKE waits. nats-py's fetch, once a first message came, waits this
long for the rest of its batch, so it bounds what a report waits here before it is filed."""
RECONNECT_WAIT_SECONDS = 0.5


class ProblemQuery(BaseModel):
    problem_id: UUID


def _header_value(text: str, limit: int = 4000) -> str:
    """Header values are one line: fold line breaks, bound the length."""
    return " ".join(text.split())[:limit]


class TrackingQuery(BaseModel):
    tracking: str = Field(max_length=64)
    """A tracking number as the reporter typed it (``R-7K3F-9QXM``, spaces and case as may be)."""


class CaseworkService:
    """Wires the Casework application to NATS; every handler parses, calls one method, answers."""

    def __init__(self, casework: Casework, store: StoreThread, js: JetStreamContext,
                 guard: CommandGuard, on_recorded: Callable[[], None] = lambda: None,
                 tickets: IntakeTickets | None = None) -> None:
        self.casework, self.store, self.js, self.guard = casework, store, js, guard
        self.on_recorded = on_recorded
        self.tickets = tickets or IntakeTickets(secrets.token_bytes(32))
        """Checks who filed a staff report; without the service's key, no ticket holds."""
        self.router = NatsRouter()
        self.router.subscriber(f"{COMMAND_PREFIX}*", queue="casework")(self.on_command)
        self.router.subscriber(HISTORY_QUERY, queue="casework")(self.on_history)
        self.router.subscriber(PROBLEM_QUERY, queue="casework")(self.on_problem)
        self.router.subscriber(TRACKING_QUERY, queue="casework")(self.on_tracking)

    # ----------------------------------------------------------------- intake

    async def consume_intake(self) -> None:
        """File what arrives on INTAKE, batch by batch, until cancelled."""
        subscription = await self.js.pull_subscribe(
            INTAKE_SUBJECTS, durable=CASEWORK_DURABLE, stream=INTAKE_STREAM,
            config=ConsumerConfig(ack_wait=INTAKE_ACK_WAIT_SECONDS,
                                  max_ack_pending=4 * INTAKE_BATCH))
        try:
            while True:
                try:
                    batch = await subscription.fetch(INTAKE_BATCH, timeout=IDLE_POLL_SECONDS)
                except TimeoutError:  # nats.errors.TimeoutError is one too
                    continue
                except Exception as error:
                    if not is_passing(error):
                        raise  # e.g. the consumer is gone: the supervisor starts it afresh
                    log.warning("fetching intake failed (%s); trying again", error)
                    await asyncio.sleep(RECONNECT_WAIT_SECONDS)
                    continue
                await self.on_intake(batch)
        finally:
            # Left subscribed, it would hold up draining the connection at shutdown.
            with contextlib.suppress(NatsError):
                await subscription.unsubscribe()

    async def on_intake(self, batch: list[Msg]) -> None:
        try:
            filed = [f for msg in batch if (f := await self._read_or_reject(msg))]
            submissions = [submission for submission, _ in filed]
            actor_ids = {problem_id_for(s.channel, s.intake_id): filer.person_id
                         for s, filer in filed if filer is not None}
            await self.store.run(self.casework.file, submissions, actor_ids)
        except Exception:
            # Not acknowledged, so not lost: the whole batch comes again, and filing is idempotent.
            log.exception("filing %d submissions failed; they will be redelivered", len(batch))
            for msg in batch:
                await msg.nak(delay=1.0)
            return
        for msg in batch:
            await msg.ack()
        self.on_recorded()

    async def _read_or_reject(self, msg: Msg) -> tuple[IntakeSubmission, Actor | None] | None:
        """The submission and its verified filer (None: the public), or None once rejected."""
        try:
            submission = read_submission(msg.subject, msg.data)
            filer = self.guard.filer(self.tickets, ticket_of(msg), submission)
        except SubmissionRejectedError as rejected:
            await self._reject(msg, rejected)
            return None
        except IdentityError as refused:
            await self._reject(msg, SubmissionRejectedError(refused.zh, refused.en))
            return None
        if filer is not None:
            submission = submission.model_copy(update={"filed_by": filer.name})
        return submission, filer

    async def _reject(self, msg: Msg, rejected: SubmissionRejectedError) -> None:
        headers = {
            HEADER_MSG_ID: f"intake:{msg.metadata.sequence.stream}",
            HEADER_ORIGINAL_SUBJECT: msg.subject,
            HEADER_REJECTION_REASON: _header_value(rejected.en.encode("ascii", "backslashreplace")
                                                   .decode()),
            HEADER_REJECTION_DETAIL: _header_value(rejected.detail_json(), 16000),
        }
        await self.js.publish(rejected_subject("intake"), msg.data, headers=headers)
        log.warning("rejected intake message %s: %s", msg.subject, rejected.en)

    # --------------------------------------------------------------- commands

    async def on_command(self, message: NatsMessage) -> bytes:
        subject: str = message.raw_message.subject
        reply = await self.store.run(self._decide, subject.removeprefix(COMMAND_PREFIX),
                                     message.body, session_of(message.raw_message))
        if reply.ok:
            self.on_recorded()
        return reply.model_dump_json().encode()

    def _decide(self, verb: str, data: bytes, session: str | None) -> Reply:
        command = read_command(COMMAND_ADAPTER, verb, data)
        if isinstance(command, Reply):
            return command
        try:
            unit = self.casework.get_problem(command.problem_id).unit
            actor = self.guard.actor(session, command.actor, f"problem.{verb}", unit,
                                     str(command.problem_id))
            version = self.casework.handle(command.model_copy(update={"actor": actor.name}),
                                           actor.person_id)
        except DomainError as refused:
            return Reply(ok=False, problem_id=command.problem_id, error=refused.info())
        except IdentityError as refused:
            return Reply(ok=False, problem_id=command.problem_id,
                         error=ErrorInfo(**refused.info()))
        return Reply(ok=True, problem_id=command.problem_id, version=version)

    # ---------------------------------------------------------------- queries

    async def on_history(self, message: NatsMessage) -> bytes:
        return await self.store.run(self._history, message.body)

    def _history(self, data: bytes) -> bytes:
        try:
            query = ProblemQuery.model_validate_json(data)
            facts = self.casework.history(query.problem_id)
        except ValidationError as invalid:
            return refusal("invalid_query", "查询无效", str(invalid)).model_dump_json().encode()
        except DomainError as refused:
            return Reply(ok=False, error=refused.info()).model_dump_json().encode()
        events = [json.loads(f.model_dump_json()) for f in facts]
        return json.dumps({"ok": True, "events": events}, ensure_ascii=False).encode()

    async def on_problem(self, message: NatsMessage) -> bytes:
        return await self.store.run(self._problem, message.body)

    def _problem(self, data: bytes) -> bytes:
        try:
            query = ProblemQuery.model_validate_json(data)
            problem = self.casework.get_problem(query.problem_id)
        except ValidationError as invalid:
            return refusal("invalid_query", "查询无效", str(invalid)).model_dump_json().encode()
        except DomainError as refused:
            return Reply(ok=False, error=refused.info()).model_dump_json().encode()
        summary = {"ok": True, "problem_id": str(problem.id), "version": problem.version,
                   "status": problem.status.value, "unit": problem.unit}
        return json.dumps(summary, ensure_ascii=False).encode()

    async def on_tracking(self, message: NatsMessage) -> bytes:
        reply = await self.store.run(self._tracking, message.body)
        return reply.model_dump_json().encode()

    def _tracking(self, data: bytes) -> Reply:
        try:
            query = TrackingQuery.model_validate_json(data)
        except ValidationError as invalid:
            return refusal("invalid_query", "查询无效", str(invalid))
        code = normalize(query.tracking)
        problem_id = None if code is None else self.casework.find_tracked(code)
        if problem_id is None:
            return refusal("unknown_tracking_number", "没有这个查询编号的问题",
                           "no problem has this tracking number")
        return Reply(ok=True, problem_id=problem_id)
