"""The identity service on NATS: sign-in, sign-out, who-am-I, staff management, the audit log.

Each handler reads one request, calls one method of ``Accounts``/``StaffManagement`` off the
event loop (argon2 is deliberately slow), and answers ``{"ok": true, ...}`` or the refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import nats
from nats.aio.msg import Msg
from pydantic import BaseModel, ConfigDict, ValidationError

from events.directory import Role
from events.subjects import (
    AUDIT_QUERY,
    LOGIN_REQUEST,
    LOGOUT_REQUEST,
    STAFF_COMMAND_PREFIX,
    STAFF_QUERY,
    WHOAMI_REQUEST,
)
from services.identity.accounts import Accounts
from services.identity.bus_log import take_in_violations
from services.identity.directory import Person
from services.identity.errors import IdentityError
from services.identity.guard import session_of
from services.identity.management import Issued, StaffManagement
from services.identity.roles import may


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str
    password: str
    totp: str | None = None
    new_password: str | None = None


class StaffRequest(BaseModel):
    """One staff-management request; which fields matter depends on the verb."""

    model_config = ConfigDict(extra="forbid")
    login: str
    name: str | None = None
    unit: str | None = None
    department: str | None = None
    title: str | None = None
    roles: list[str] = []
    role: str | None = None
    scope: str | None = None
    reason: str | None = None
    totp: bool = False


class AuditRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: datetime | None = None
    actor: str | None = None


def person_json(person: Person) -> dict[str, Any]:
    return {"person_id": person.person_id, "login": person.login, "name": person.name,
            "unit": person.unit, "department": person.department, "title": person.title,
            "disabled": person.disabled, "locked": person.locked,
            "roles": [{"role": g.role.value, "zh": g.role.label("zh"),
                       "en": g.role.label("en"), "scope": g.scope}
                      for g in sorted(person.grants, key=lambda g: (g.role, g.scope or ""))]}


def _issued_json(issued: Issued) -> dict[str, Any]:
    return {"person": person_json(issued.person), "password": issued.password,
            "totp_uri": issued.totp_uri}


def parse_grant(text: str) -> tuple[Role, str | None]:
    """``role`` or ``role@unit`` (a role's code, Chinese or English name)."""
    role, _, scope = text.partition("@")
    try:
        return Role.parse(role), scope.strip() or None
    except ValueError:
        raise IdentityError("unknown_role", f"未知角色：{role}", f"unknown role: {role}") from None


class IdentityService:
    def __init__(self, accounts: Accounts, bus_log: Path | None = None) -> None:
        self.accounts, self.bus_log = accounts, bus_log
        self.staff = StaffManagement(accounts)

    def login(self, data: bytes, _: str | None) -> dict[str, Any]:
        request = LoginRequest.model_validate_json(data)
        signed_in = self.accounts.login(request.login, request.password, request.totp,
                                        request.new_password)
        return {"token": signed_in.token, "expires_at": signed_in.expires_at.isoformat(),
                "person": person_json(signed_in.person)}

    def logout(self, _: bytes, session: str | None) -> dict[str, Any]:
        return {"ended": bool(session) and self.accounts.logout(session or "")}

    def whoami(self, _: bytes, session: str | None) -> dict[str, Any]:
        return {"person": person_json(self._person(session))}

    def _person(self, session: str | None) -> Person:
        if not session:
            raise IdentityError("not_signed_in", "请先登录：rectify login",
                                "sign in first: rectify login")
        return self.accounts.authenticate(session)

    def staff_command(self, verb: str, data: bytes, session: str | None) -> dict[str, Any]:
        by, request = self._person(session), StaffRequest.model_validate_json(data)
        if verb == "add":
            return _issued_json(self.staff.add(
                by, request.login, request.name or "", request.unit or "",
                [parse_grant(r) for r in request.roles], request.department, request.title,
                totp=request.totp))
        if verb in ("grant", "revoke"):
            role, scope = parse_grant(request.role or "")
            change = self.staff.grant if verb == "grant" else self.staff.revoke
            return _issued_json(change(by, request.login, role, scope or request.scope))
        if verb == "disable":
            return _issued_json(self.staff.disable(by, request.login, request.reason or ""))
        if verb == "enable":
            return _issued_json(self.staff.enable(by, request.login))
        if verb == "reset":
            return _issued_json(self.staff.reset(by, request.login, request.totp))
        raise IdentityError("unknown_verb", f"未知操作：{verb}", f"unknown action: {verb}")

    def staff_list(self, _: bytes, session: str | None) -> dict[str, Any]:
        self._require(self._person(session), "staff.manage", "staff.list")
        people = sorted(self.accounts.directory().people.values(), key=lambda p: p.login)
        return {"people": [person_json(p) for p in people]}

    def audit(self, data: bytes, session: str | None) -> dict[str, Any]:
        self._require(self._person(session), "audit.read", "audit")
        if self.bus_log is not None:
            take_in_violations(self.bus_log, self.accounts.audit)
        request = AuditRequest.model_validate_json(data or b"{}")
        actor = request.actor
        found = self.accounts.directory().find(actor) if actor else None
        records = self.accounts.audit.records(request.since,
                                              found.person_id if found else actor)
        return {"records": [r.as_json() for r in records],
                "chain_broken_at": self.accounts.audit.verify()}

    def _require(self, person: Person, verb: str, what: str) -> None:
        if not may(person, verb):
            self.accounts.audit.record(self.accounts.clock(), what, "refused",
                                       actor_id=person.person_id, actor=person.name)
            raise IdentityError("forbidden", f"{person.name} 无权执行此操作",
                                f"{person.name} may not do this")


Handler = Callable[[bytes, str | None], dict[str, Any]]


def _answering(handler: Handler) -> Callable[[Msg], Awaitable[None]]:
    async def on_request(msg: Msg) -> None:
        try:
            answer = {"ok": True, **await asyncio.to_thread(handler, msg.data, session_of(msg))}
        except IdentityError as refused:
            answer = {"ok": False, "error": refused.info()}
        except (ValidationError, json.JSONDecodeError) as invalid:
            answer = {"ok": False, "error": {"code": "invalid_request",
                                             "zh": f"请求无效：{invalid}",
                                             "en": f"invalid request: {invalid}"}}
        await msg.respond(json.dumps(answer, ensure_ascii=False).encode())

    return on_request


@contextlib.asynccontextmanager
async def serving_identity(nats_url: str, accounts: Accounts,
                           bus_log: Path | None = None) -> AsyncIterator[None]:
    """Answer sign-in, staff and audit requests until the block ends (``bus_log``: the
    embedded nats-server's log, whose permission violations join the audit log)."""
    service = IdentityService(accounts, bus_log)
    client = await nats.connect(nats_url, name="rectify-identity")
    routes: dict[str, Handler] = {
        LOGIN_REQUEST: service.login, LOGOUT_REQUEST: service.logout,
        WHOAMI_REQUEST: service.whoami, STAFF_QUERY: service.staff_list,
        AUDIT_QUERY: service.audit,
    }
    try:
        for subject, handler in routes.items():
            await client.subscribe(subject, queue="identity", cb=_answering(handler))
        await client.subscribe(f"{STAFF_COMMAND_PREFIX}*", queue="identity", cb=_staff(service))
        yield
    finally:
        await client.drain()


def _staff(service: IdentityService) -> Callable[[Msg], Awaitable[None]]:
    async def on_staff(msg: Msg) -> None:
        verb = msg.subject.removeprefix(STAFF_COMMAND_PREFIX)
        await _answering(lambda data, session: service.staff_command(verb, data, session))(msg)

    return on_staff
