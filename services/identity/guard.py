"""Who is acting on a staff command: the person behind the session, never the payload.

Casework asks the guard before deciding any staff command. The guard turns the request's
session token into the person, refuses a command whose claimed actor is someone else (a
security event), and refuses a verb the person's roles do not allow on that unit. Every refusal
is an audit record; an allowed command goes on with the person's id and name.

Local-administrator mode (``RECTIFY_LOCAL_ADMIN=1``, for demos and tests on one's own machine)
also accepts a command without a session: the claimed name is recorded with the actor id
``local:<name>``, so the record shows it was named, not authenticated.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.aio.msg import Msg

from events.subjects import HEADER_SESSION
from services.identity.accounts import Accounts
from services.identity.directory import Person
from services.identity.errors import IdentityError
from services.identity.roles import may, verb_label

LOCAL_PREFIX = "local:"


def session_of(msg: Msg) -> str | None:
    """The session token a request carries in its header, if any."""
    return (msg.headers or {}).get(HEADER_SESSION) or None


@dataclass(frozen=True)
class Actor:
    """Whom a command is recorded as done by: display name and stable person id."""

    name: str
    person_id: str


class CommandGuard:
    def __init__(self, accounts: Accounts, local_admin: bool = False) -> None:
        self.accounts, self.local_admin = accounts, local_admin

    def actor(self, token: str | None, claimed: str, verb: str, unit: str | None,
              target: str) -> Actor:
        """The authenticated actor allowed to do ``verb`` on ``unit`` (None: on no one unit,
        such as a circular to all units); IdentityError if not."""
        if token is None:
            if self.local_admin:
                return Actor(claimed, LOCAL_PREFIX + claimed)
            self._refuse("command", None, verb, target, "no session")
            raise IdentityError("not_signed_in", "请先登录：rectify login",
                                "sign in first: rectify login")
        try:
            person = self.accounts.authenticate(token)
        except IdentityError as ended:
            self._refuse("command", None, verb, target, ended.en)
            raise
        if claimed.strip() not in (person.name, person.person_id, person.login):
            self._refuse("forged-actor", person, verb, target, f"claimed actor {claimed!r}")
            raise IdentityError("actor_mismatch",
                                f"命令声称由 {claimed} 执行，但登录人是 {person.name}："
                                "已拒绝并记录",
                                f"the command claims {claimed} but {person.name} is signed in: "
                                "refused and recorded")
        if not may(person, verb, unit):
            self._refuse("command", person, verb, target, f"not allowed on {unit}")
            raise IdentityError("forbidden",
                                f"{person.name} 无权对{unit or '全体单位'}执行“{verb_label(verb)}”",
                                f"{person.name} may not {verb_label(verb, 'en')} for "
                                f"{unit or 'all units'}")
        return Actor(person.name, person.person_id)

    def _refuse(self, action: str, person: Person | None, verb: str, target: str,
                detail: str) -> None:
        self.accounts.audit.record(self.accounts.clock(), action, "refused",
                                   actor_id=person.person_id if person else None,
                                   actor=person.name if person else None,
                                   target=f"{verb} {target}", detail=detail)
