"""The console's one connection to NATS: sign-in, who-am-I, sign-out and staff commands, each
sent exactly as the CLI sends them (the identity session in the ``Rectify-Session`` header)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client
from nats.errors import NoRespondersError

from events.commands import ProblemCommand, UnitCommand
from events.notice_commands import NoticeCommand
from events.subjects import (
    HEADER_SESSION,
    LOGIN_REQUEST,
    LOGOUT_REQUEST,
    PROBLEM_QUERY,
    REPORTER_UNMASK_QUERY,
    SPOT_CHECK_QUERY,
    SSO_BEGIN_REQUEST,
    SSO_FINISH_REQUEST,
    SSO_TOTP_REQUEST,
    WHOAMI_REQUEST,
    command_subject,
    notice_command_subject,
    unit_command_subject,
)

UNREACHABLE = {
    "code": "unreachable",
    "zh": "服务暂时无响应，请稍后再试",
    "en": "the service did not answer; try again shortly",
}


class IdentityUnreachableError(Exception):
    """The identity service did not answer: nobody's sign-in can be checked just now."""


@dataclass(frozen=True)
class Grant:
    role: str
    scope: str | None


@dataclass(frozen=True)
class Staff:
    """The signed-in person as the identity service describes them."""

    person_id: str
    login: str
    name: str
    unit: str
    grants: tuple[Grant, ...]

    @classmethod
    def from_json(cls, person: dict[str, Any]) -> Staff:
        return cls(
            str(person["person_id"]),
            str(person["login"]),
            str(person["name"]),
            str(person["unit"]),
            tuple(Grant(str(g["role"]), g.get("scope")) for g in person["roles"]),
        )

    def holds(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def units(self, *roles: str) -> set[str | None]:
        """The units on which the person holds one of ``roles`` (None: every unit)."""
        return {g.scope for g in self.grants if g.role in roles}


class Backend:
    def __init__(self, client: Client, timeout: float = 15.0) -> None:
        self.client, self.timeout = client, timeout

    async def _ask(
        self, subject: str, body: dict[str, Any] | bytes, token: str | None = None
    ) -> dict[str, Any]:
        payload = (
            body
            if isinstance(body, bytes)
            else json.dumps(body, ensure_ascii=False, default=str).encode()
        )
        headers = {HEADER_SESSION: token} if token else None
        try:
            answer = await self.client.request(
                subject, payload, timeout=self.timeout, headers=headers
            )
        except (NoRespondersError, TimeoutError):
            return {"ok": False, "error": UNREACHABLE}
        decoded: dict[str, Any] = json.loads(answer.data)
        return decoded

    async def login(
        self, login: str, password: str, totp: str | None, new_password: str | None = None
    ) -> dict[str, Any]:
        return await self._ask(
            LOGIN_REQUEST,
            {"login": login, "password": password, "totp": totp, "new_password": new_password},
        )

    async def sso_begin(self, redirect_uri: str, code_challenge: str) -> dict[str, Any]:
        """Where to send the person for single sign-on, and the state they come back with."""
        return await self._ask(SSO_BEGIN_REQUEST, {"redirect_uri": redirect_uri,
                                                   "code_challenge": code_challenge})

    async def sso_finish(self, state: str, code: str, code_verifier: str,
                         redirect_uri: str) -> dict[str, Any]:
        return await self._ask(SSO_FINISH_REQUEST, {
            "state": state, "code": code, "code_verifier": code_verifier,
            "redirect_uri": redirect_uri})

    async def sso_totp(self, ticket: str, totp: str) -> dict[str, Any]:
        return await self._ask(SSO_TOTP_REQUEST, {"ticket": ticket, "totp": totp})

    async def whoami(self, token: str) -> Staff | None:
        """The person behind a live identity session; None once it has ended.
        IdentityUnreachableError when the identity service does not answer (the session is
        not ended for that)."""
        answer = await self._ask(WHOAMI_REQUEST, b"{}", token)
        if not answer.get("ok") and (answer.get("error") or {}).get("code") == "unreachable":
            raise IdentityUnreachableError
        return Staff.from_json(answer["person"]) if answer.get("ok") else None

    async def logout(self, token: str) -> None:
        await self._ask(LOGOUT_REQUEST, b"{}", token)

    async def unmask(self, token: str, problem_id: str, purpose: str) -> dict[str, Any]:
        """The reporter's contact in clear, through the identity service's door (recorded)."""
        return await self._ask(REPORTER_UNMASK_QUERY,
                               {"problem_id": problem_id, "purpose": purpose}, token)

    async def command(self, token: str, command: ProblemCommand) -> dict[str, Any]:
        return await self._ask(
            command_subject(command.verb), command.model_dump_json().encode(), token
        )

    async def unit_command(self, token: str, command: UnitCommand) -> dict[str, Any]:
        return await self._ask(unit_command_subject(command.verb),
                               command.model_dump_json().encode(), token)

    async def notice_command(self, token: str, command: NoticeCommand) -> dict[str, Any]:
        """An order or circular command, on ``cmd.notice.<verb>`` as the CLI sends it."""
        return await self._ask(notice_command_subject(command.verb),
                               command.model_dump_json().encode(), token)

    async def recorded(self, problem_id: str) -> bool:
        """Whether casework has the problem on record (the read models may not show it yet)."""
        return bool((await self._ask(PROBLEM_QUERY, {"problem_id": problem_id})).get("ok"))

    async def spot_checks(self) -> dict[str, Any]:
        """The ranked spot-check list, as ``rectify spot-check list`` asks for it."""
        return await self._ask(SPOT_CHECK_QUERY, b"")
