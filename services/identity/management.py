"""Staff management by the security administrator (安全管理员) alone: add, grant, revoke,
disable, enable, reset. Each change is a directory fact and an audit record; a refusal is an
audit record too."""

from __future__ import annotations

from dataclasses import dataclass, field

from events.directory import (
    PasswordReset,
    Role,
    RoleGranted,
    RoleRevoked,
    StaffDisabled,
    StaffEnabled,
)
from services.identity.accounts import Accounts
from services.identity.directory import Person
from services.identity.errors import IdentityError
from services.identity.passwords import check_complexity, generate_password
from services.identity.roles import conflicting_grant, may


@dataclass
class Issued:
    """What a change hands out once: an initial password and a TOTP enrolment URI."""

    person: Person
    password: str | None = None
    totp_uri: str | None = None
    notes: list[str] = field(default_factory=list)


class StaffManagement:
    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts

    def _check(self, by: Person, action: str, target: str) -> None:
        if not may(by, "staff.manage"):
            self.accounts.audit.record(self.accounts.clock(), f"staff.{action}", "refused",
                                       actor_id=by.person_id, actor=by.name, target=target,
                                       detail="not a security administrator")
            raise IdentityError("forbidden", "只有安全管理员可以管理账号和角色",
                                "only the security administrator manages accounts and roles")

    def _person(self, login: str) -> Person:
        person = self.accounts.directory().find(login)
        if person is None:
            raise IdentityError("no_such_login", f"没有登录名为 {login} 的人员",
                                f"nobody signs in as {login}")
        return person

    def _audit(self, by: Person | None, action: str, target: str, detail: str) -> None:
        self.accounts.audit.record(self.accounts.clock(), f"staff.{action}", "ok",
                                   actor_id=by.person_id if by else "system",
                                   actor=by.name if by else "系统", target=target, detail=detail)

    def add(self, by: Person | None, login: str, name: str, unit: str, grants: list[
            tuple[Role, str | None]], department: str | None = None, title: str | None = None,
            password: str | None = None, totp: bool = False, must_change: bool = True) -> Issued:
        """Enrol a person with roles and an initial password (``by`` None: setting up)."""
        if by is not None:
            self._check(by, "add", login)
        self._check_grants(grants)
        if password is not None:
            check_complexity(password, login)
        enrolled = self.accounts.enrol(by, login, name, unit, department, title)
        issued = Issued(self._person(login), password or generate_password())
        self.accounts.credentials.set_password(enrolled.person_id, issued.password or "",
                                               must_change)
        for role, scope in grants:
            self._grant(by, issued.person, role, scope)
        if totp or issued.person.administrator:
            issued.totp_uri = self.accounts.credentials.new_totp(enrolled.person_id, login)
        self._audit(by, "add", login, f"{name}, {unit}")
        return issued

    def _check_grants(self, grants: list[tuple[Role, str | None]]) -> None:
        roles = [role for role, _ in grants]
        if any(r.administrator for r in roles) and len(set(roles)) > 1:
            raise IdentityError("separation_of_duties",
                                "三员分立：管理员角色不得与其他角色兼任",
                                "an administrator role cannot be held with any other role")

    def grant(self, by: Person, login: str, role: Role, scope: str | None) -> Issued:
        self._check(by, "grant", login)
        person = self._person(login)
        if role.per_unit and scope is None:
            scope = person.unit
        held = conflicting_grant(person, role)
        if held is not None:
            raise IdentityError("separation_of_duties",
                                f"三员分立：{person.name} 已是{held.label('zh')}，不能兼任"
                                f"{role.label('zh')}",
                                f"{person.name} is already {held.label('en')}; cannot also be "
                                f"{role.label('en')}")
        self._grant(by, person, role, scope)
        issued = Issued(person)
        credential = self.accounts.credentials.get(person.person_id)
        if role.administrator and credential is not None and credential.totp_secret is None:
            issued.totp_uri = self.accounts.credentials.new_totp(person.person_id, login)
        self._audit(by, "grant", login, f"{role.value} {scope or '*'}")
        return issued

    def _grant(self, by: Person | None, person: Person, role: Role, scope: str | None) -> None:
        if role.per_unit and scope is None:
            scope = person.unit
        self.accounts.record(RoleGranted(
            person_id=person.person_id, actor_id=by.person_id if by else "system",
            actor=by.name if by else "系统", occurred_at=self.accounts.clock(), role=role,
            scope=None if not role.per_unit and scope in (None, "*") else scope))

    def revoke(self, by: Person, login: str, role: Role, scope: str | None) -> Issued:
        self._check(by, "revoke", login)
        person = self._person(login)
        matching = [g for g in person.grants if g.role is role and
                    (scope is None or g.scope == scope)]
        if not matching:
            raise IdentityError("no_such_grant", f"{person.name} 没有该角色",
                                f"{person.name} does not hold that role")
        for held in matching:
            self.accounts.record(RoleRevoked(
                person_id=person.person_id, actor_id=by.person_id, actor=by.name,
                occurred_at=self.accounts.clock(), role=held.role, scope=held.scope))
        self._audit(by, "revoke", login, f"{role.value} {scope or '*'}")
        return Issued(person)

    def disable(self, by: Person, login: str, reason: str) -> Issued:
        self._check(by, "disable", login)
        person = self._person(login)
        if person.person_id == by.person_id:
            raise IdentityError("self_disable", "不能停用自己的账号",
                                "you cannot disable your own account")
        now = self.accounts.clock()
        self.accounts.record(StaffDisabled(person_id=person.person_id, actor_id=by.person_id,
                                           actor=by.name, occurred_at=now, reason=reason))
        self.accounts.sessions.end_all(person.person_id, now)
        self._audit(by, "disable", login, reason)
        return Issued(person)

    def enable(self, by: Person, login: str) -> Issued:
        self._check(by, "enable", login)
        person = self._person(login)
        self.accounts.record(StaffEnabled(person_id=person.person_id, actor_id=by.person_id,
                                          actor=by.name, occurred_at=self.accounts.clock()))
        self._audit(by, "enable", login, "")
        return Issued(person)

    def reset(self, by: Person, login: str, totp: bool = False) -> Issued:
        """A new initial password (to change at first sign-in); unlocks; ends sessions."""
        self._check(by, "reset", login)
        person = self._person(login)
        now = self.accounts.clock()
        issued = Issued(person, generate_password())
        self.accounts.credentials.set_password(person.person_id, issued.password or "", True)
        if totp or person.administrator:
            issued.totp_uri = self.accounts.credentials.new_totp(person.person_id, login)
        self.accounts.record(PasswordReset(person_id=person.person_id, actor_id=by.person_id,
                                           actor=by.name, occurred_at=now,
                                           totp_reset=issued.totp_uri is not None))
        self.accounts.sessions.end_all(person.person_id, now)
        self._audit(by, "reset", login, "totp" if issued.totp_uri else "")
        return issued
