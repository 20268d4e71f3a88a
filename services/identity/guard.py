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

from events.subjects import HEADER_INTAKE_TICKET, HEADER_SESSION
from events.submission import IntakeSubmission
from events.vocabulary import Channel
from services.identity.accounts import Accounts
from services.identity.directory import Person
from services.identity.errors import IdentityError
from services.identity.roles import PERMISSIONS, may, verb_label
from services.identity.tickets import IntakeTickets

LOCAL_PREFIX = "local:"


def session_of(msg: Msg) -> str | None:
    """The session token a request carries in its header, if any."""
    return (msg.headers or {}).get(HEADER_SESSION) or None


def ticket_of(msg: Msg) -> str | None:
    """The intake ticket an INTAKE message carries in its header, if any."""
    return (msg.headers or {}).get(HEADER_INTAKE_TICKET) or None


def intake_verb(channel: Channel) -> str:
    """A unit's own findings are imported by its staff; any other report is filed for others."""
    return "intake.import" if channel.is_units_own else "intake.report"


def is_staff_filing(submission: IntakeSubmission) -> bool:
    """Whether a staff member files it (names a filer, or comes on a channel only staff use)."""
    return submission.filed_by is not None or not submission.channel.is_public


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

    def reader(self, token: str | None, what: str, unit: str | None) -> None:
        """Allow reading ``what`` (a view: ledger, board, …) of ``unit`` (None: every unit), or
        raise IdentityError (audited). A unit's staff read their units only; the bureau's
        leaders, inspectors and the campaign office read everything; administrators read no
        business data."""
        target = f"{what} {unit or '全部单位'}"
        if token is None:
            if self.local_admin:
                return
            self._refuse("read", None, "read", target, "no session")
            raise IdentityError("not_signed_in", "查阅业务数据请先登录：rectify login",
                                "sign in to read business data: rectify login")
        try:
            person = self.accounts.authenticate(token)
        except IdentityError as ended:
            self._refuse("read", None, "read", target, ended.en)
            raise
        if may(person, "read", unit):
            return
        self._refuse("read", person, "read", target, "not allowed")
        if not any(g.role in PERMISSIONS["read"] for g in person.grants):
            raise IdentityError("forbidden", f"{person.name} 的角色不查阅业务数据",
                                f"{person.name}'s roles read no business data")
        if unit is None:
            raise IdentityError("forbidden",
                                f"{person.name} 只能查阅本单位：请用 --unit 指定单位"
                                "（全局视图仅限局领导、督察和法规科）",
                                f"{person.name} reads their own unit only: give --unit (the "
                                "whole campaign is for bureau leaders, inspectors and the office)")
        raise IdentityError("forbidden", f"{person.name} 无权查阅{unit}的数据",
                            f"{person.name} may not read {unit}'s data")

    def filer(self, tickets: IntakeTickets, ticket: str | None,
              submission: IntakeSubmission) -> Actor | None:
        """Who filed a report taken off INTAKE: the person its ticket vouches for, or None for
        the public; IdentityError (audited) when the message is not what a ticket vouches for,
        claims another filer, or the person may no longer file on the unit."""
        channel, claimed = submission.channel, submission.filed_by
        verb, target = intake_verb(channel), f"{channel.value}:{submission.intake_id}"
        if ticket is None:
            if not is_staff_filing(submission):
                return None
            if self.local_admin and claimed:
                return Actor(claimed, LOCAL_PREFIX + claimed)
            self._refuse("forged-intake", None, verb, target, f"no ticket; filer {claimed!r}")
            raise _unvouched(claimed)
        person_id = tickets.holder(ticket, channel.value, submission.intake_id)
        if person_id is None:
            self._refuse("forged-intake", None, verb, target, f"bad ticket; filer {claimed!r}")
            raise _unvouched(claimed)
        if person_id.startswith(LOCAL_PREFIX) and self.local_admin:
            return Actor(claimed or person_id.removeprefix(LOCAL_PREFIX), person_id)
        person = self.accounts.directory().people.get(person_id)
        if person is None or not may(person, verb, submission.unit):
            self._refuse("intake", person, verb, target, f"not allowed on {submission.unit}")
            raise IdentityError("forbidden", f"登记人无权为{submission.unit}{verb_label(verb)}",
                                f"the filer may not {verb_label(verb, 'en')} for "
                                f"{submission.unit}")
        if claimed is not None and claimed.strip() not in (person.name, person.person_id,
                                                           person.login):
            self._refuse("forged-actor", person, verb, target, f"claimed filer {claimed!r}")
            raise IdentityError("actor_mismatch",
                                f"报告声称由 {claimed} 登记，但登录人是 {person.name}："
                                "已拒绝并记录",
                                f"the report claims {claimed} filed it but {person.name} is "
                                "signed in: refused and recorded")
        return Actor(person.name, person.person_id)

    def _refuse(self, action: str, person: Person | None, verb: str, target: str,
                detail: str) -> None:
        self.accounts.audit.record(self.accounts.clock(), action, "refused",
                                   actor_id=person.person_id if person else None,
                                   actor=person.name if person else None,
                                   target=f"{verb} {target}", detail=detail)


def _unvouched(claimed: str | None) -> IdentityError:
    return IdentityError("not_signed_in",
                         f"工作人员登记的问题须由登录人经 rectify 提交（声称登记人 {claimed}）："
                         "已拒绝并记录",
                         f"a staff report must be filed by a signed-in person through rectify "
                         f"(claimed filer {claimed}): refused and recorded")
