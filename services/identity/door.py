"""举报人信息查阅: the door to reporters' personal data, held by the service.

Unmasking is a request (``query.reporter.unmask``) by a signed-in reporter-data reader with a
stated purpose; the service, which alone holds the reporter key, reads the problem's report,
decrypts the contact and records the access (who, which problem, when, why) in the audit log.
Everyone else, the local administrator included, is refused and the refusal recorded.
Contacts typed at the desk are sealed by the filing desk (``services.identity.filing``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict
from typing import Any
from uuid import UUID

import nats
from eventsourcing.cipher import AESCipher
from nats.aio.msg import Msg
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from events.lifecycle import ProblemReported
from events.subjects import REPORTER_UNMASK_QUERY
from services.casework.application import Casework
from services.casework.errors import DomainError
from services.casework.store_thread import StoreThread
from services.identity.accounts import Accounts
from services.identity.directory import Person
from services.identity.errors import IdentityError
from services.identity.guard import session_of
from services.identity.roles import may
from services.reporters.privacy import Contact, unseal


class UnmaskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    problem_id: UUID
    purpose: str = Field(min_length=2, max_length=500)


class ReporterDoor:
    def __init__(self, accounts: Accounts, casework: Casework, cipher: AESCipher) -> None:
        self.accounts, self.casework, self.cipher = accounts, casework, cipher

    def unmask(self, data: bytes, session: str | None) -> dict[str, Any]:
        request = UnmaskRequest.model_validate_json(data)
        target = str(request.problem_id)
        person = self._reader(session, target, request.purpose)
        try:
            reported = self.casework.history(request.problem_id)[0]
        except DomainError as missing:
            raise IdentityError("problem_not_found", missing.zh, missing.en) from None
        assert isinstance(reported, ProblemReported)
        contact = unseal(self.cipher, reported.reporter) if reported.reporter else Contact()
        self.accounts.audit.record(self.accounts.clock(), "unmask", "ok",
                                   actor_id=person.person_id, actor=person.name, target=target,
                                   detail=request.purpose)
        return {"reporter": {k: v for k, v in asdict(contact).items() if v}}

    def _reader(self, session: str | None, target: str, purpose: str) -> Person:
        person = None
        try:
            if not session:
                raise IdentityError("not_signed_in", "请先登录：rectify login",
                                    "sign in first: rectify login")
            person = self.accounts.authenticate(session)
            if not may(person, "reporter.unmask"):
                raise IdentityError("forbidden", f"{person.name} 无权查看举报人信息",
                                    f"{person.name} may not see reporters' personal data")
        except IdentityError as refused:
            self.accounts.audit.record(
                self.accounts.clock(), "unmask", "refused",
                actor_id=person.person_id if person else None,
                actor=person.name if person else None, target=target,
                detail=f"{purpose} ({refused.en})")
            raise
        return person


Handler = Callable[[bytes, str | None], dict[str, Any]]


def _answering(store: StoreThread, handler: Handler) -> Callable[[Msg], Awaitable[None]]:
    async def on_request(msg: Msg) -> None:
        try:
            answer = {"ok": True, **await store.run(handler, msg.data, session_of(msg))}
        except IdentityError as refused:
            answer = {"ok": False, "error": refused.info()}
        except ValidationError as invalid:
            answer = {"ok": False, "error": {"code": "invalid_request",
                                             "zh": f"请求无效：{invalid}",
                                             "en": f"invalid request: {invalid}"}}
        await msg.respond(json.dumps(answer, ensure_ascii=False).encode())

    return on_request


@contextlib.asynccontextmanager
async def serving_reporter_door(nats_url: str, door: ReporterDoor,
                                store: StoreThread) -> AsyncIterator[None]:
    """Answer unmask requests (on the store thread: it reads the event store)."""
    client = await nats.connect(nats_url, name="rectify-reporter-door")
    try:
        await client.subscribe(REPORTER_UNMASK_QUERY, queue="identity",
                               cb=_answering(store, door.unmask))
        yield
    finally:
        await client.drain()
