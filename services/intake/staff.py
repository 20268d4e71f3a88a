"""Staff credentials on the public API: the session a staff member got from ``rectify login``,
sent as ``Authorization: Bearer <token>``, names who files a finding on a staff channel.

The identity part answers who the session belongs to (``auth.whoami``); the finding is filed
by that person (never by a ``filed_by`` the body claims) and only when one of their roles may
file reports for others (``intake.report``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from nats.aio.client import Client
from nats.errors import NoRespondersError
from starlette.requests import Request

from events.bilingual import BilingualError
from events.subjects import HEADER_SESSION, WHOAMI_REQUEST
from services.identity.roles import PERMISSIONS

FILING_ROLES = frozenset(role.value for role in PERMISSIONS["intake.report"])


@dataclass(frozen=True)
class StaffMember:
    person_id: str
    login: str
    name: str
    roles: frozenset[str]

    def may_file(self) -> bool:
        return bool(self.roles & FILING_ROLES)

    def is_named(self, claimed: str) -> bool:
        return claimed.strip() in (self.name, self.login, self.person_id)


class NotSignedInError(BilingualError):
    """The token names no live session (or none was sent); ``zh`` and ``en`` say why."""


def bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def staff_member(client: Client, token: str) -> StaffMember:
    """Who holds the session ``token``; NotSignedInError if nobody (or it cannot be asked)."""
    try:
        reply = await client.request(WHOAMI_REQUEST, b"{}", timeout=10,
                                     headers={HEADER_SESSION: token})
    except (NoRespondersError, TimeoutError):
        raise NotSignedInError("暂时无法核验登录状态，请稍后再试",
                               "sign-in cannot be checked now: try again later") from None
    answer = json.loads(reply.data)
    if not answer.get("ok"):
        error = answer.get("error", {})
        raise NotSignedInError(str(error.get("zh", "登录无效")),
                               str(error.get("en", "not signed in")))
    person = answer["person"]
    if person.get("disabled") or person.get("locked"):
        raise NotSignedInError("账号已停用或锁定", "the account is disabled or locked")
    return StaffMember(str(person["person_id"]), str(person["login"]), str(person["name"]),
                       frozenset(str(r["role"]) for r in person.get("roles", [])))
