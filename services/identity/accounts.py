"""Accounts: the one API for signing in and for managing staff, shared by CLI and console.

``login`` checks a password (and a TOTP code where required) and returns a session;
``authenticate`` turns a session token back into the person; ``may`` (in ``roles``) says what
that person may do. Every directory change is a fact on the directory's record; every sign-in,
failure, lockout and change is also an audit record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from events.directory import (
    DIRECTORY_ADAPTER,
    AccountLocked,
    DirectoryEvent,
    Role,
    StaffEnrolled,
)
from services.clock import Clock, system_clock
from services.identity.audit import AuditLog
from services.identity.credentials import Credentials, totp_matches
from services.identity.directory import Directory, Person
from services.identity.errors import IdentityError
from services.identity.passwords import check_complexity, password_matches
from services.identity.roles import may
from services.identity.sessions import SessionPolicy, Sessions
from services.identity.store import IdentityStore

MAX_FAILURES = 5
SYSTEM_ID = "system"


@dataclass(frozen=True)
class SignedIn:
    """A new session: the token (given to the client once), its expiry, and who it is."""

    token: str
    expires_at: datetime
    person: Person


def _bad_credentials() -> IdentityError:
    return IdentityError("bad_credentials", "登录名或口令错误", "wrong sign-in name or password")


class Accounts:
    """Staff accounts over one identity store."""

    def __init__(self, store: IdentityStore, clock: Clock = system_clock,
                 policy: SessionPolicy | None = None) -> None:
        self.store, self.clock = store, clock
        self.audit = AuditLog(store)
        self.credentials = Credentials(store)
        self.sessions = Sessions(store, policy or SessionPolicy.from_env())
        self._directory = Directory()
        self._seen = 0

    # ------------------------------------------------------------ the record

    def directory(self) -> Directory:
        """The directory as of now, with facts other processes recorded meanwhile."""
        for seq, body in self.store.read("SELECT seq, body FROM directory WHERE seq > ? "
                                         "ORDER BY seq", self._seen):
            self._directory.apply(DIRECTORY_ADAPTER.validate_json(str(body)))
            self._seen = int(seq)  # type: ignore[call-overload]
        return self._directory

    def facts(self) -> list[DirectoryEvent]:
        return [DIRECTORY_ADAPTER.validate_json(str(body))
                for (body,) in self.store.read("SELECT body FROM directory ORDER BY seq")]

    def directory_at(self, moment: datetime) -> Directory:
        """The directory as it stood at ``moment``: who held which role then."""
        return Directory.replay(self.facts(), until=moment)

    def record(self, fact: DirectoryEvent) -> None:
        with self.store.transaction() as db:
            db.execute("INSERT INTO directory (type, person_id, occurred_at, body) "
                       "VALUES (?,?,?,?)", (fact.type, fact.person_id,
                                            fact.occurred_at.isoformat(),
                                            fact.model_dump_json()))
        self.directory()

    # --------------------------------------------------------------- sign-in

    def login(self, login: str, password: str, totp: str | None = None,
              new_password: str | None = None) -> SignedIn:
        """Check the password (and TOTP where required) and open a session."""
        now = self.clock()
        person = self.directory().find(login.strip())
        credential = None if person is None else self.credentials.get(person.person_id)
        if person is None or credential is None:
            self.audit.record(now, "login", "refused", target=login, detail="unknown login")
            raise _bad_credentials()
        self._check_may_sign_in(person, now)
        if not password_matches(credential.password_hash, password):
            self._failed(person, now, "wrong password")
            raise _bad_credentials()
        if credential.totp_secret is not None or person.administrator:
            self._check_totp(person, credential.totp_secret, totp, now)
        if credential.must_change:
            self._change_password(person, new_password, now)
        self.credentials.succeeded(person.person_id)
        token, expires = self.sessions.open(person.person_id, now)
        self.audit.record(now, "login", "ok", actor_id=person.person_id, actor=person.name)
        return SignedIn(token, expires, person)

    def _check_may_sign_in(self, person: Person, now: datetime) -> None:
        if person.disabled or person.locked:
            why = "disabled" if person.disabled else "locked"
            self.audit.record(now, "login", "refused", actor_id=person.person_id,
                              actor=person.name, detail=f"account {why}")
            raise IdentityError(f"account_{why}",
                                "账号已停用" if person.disabled else
                                "账号已锁定（连续登录失败），请联系安全管理员重置",
                                f"this account is {why}; ask the security administrator")

    def _check_totp(self, person: Person, secret: str | None, code: str | None,
                    now: datetime) -> None:
        if secret is None:
            self.audit.record(now, "login", "refused", actor_id=person.person_id,
                              actor=person.name, detail="administrator without TOTP")
            raise IdentityError("totp_not_enrolled", "管理员须先绑定动态口令（请安全管理员重置）",
                                "administrators need a TOTP authenticator: ask for a reset")
        if not code:
            raise IdentityError("totp_required", "请输入动态口令（--totp）",
                                "a one-time code (--totp) is required")
        if not totp_matches(secret, code):
            self._failed(person, now, "wrong TOTP code")
            raise IdentityError("bad_totp", "动态口令错误", "wrong one-time code")

    def _change_password(self, person: Person, new_password: str | None, now: datetime) -> None:
        if not new_password:
            raise IdentityError("password_change_required", "首次登录须设置新口令",
                                "set a new password at first sign-in (--new-password)")
        check_complexity(new_password, person.login)
        self.credentials.set_password(person.person_id, new_password, must_change=False)
        self.audit.record(now, "password-change", "ok", actor_id=person.person_id,
                          actor=person.name)

    def _failed(self, person: Person, now: datetime, why: str) -> None:
        failures = self.credentials.failed(person.person_id)
        self.audit.record(now, "login", "failed", actor_id=person.person_id, actor=person.name,
                          detail=f"{why} ({failures} in a row)")
        if failures >= MAX_FAILURES:
            self.record(AccountLocked(person_id=person.person_id, actor_id=SYSTEM_ID,
                                      actor="系统", occurred_at=now, failures=failures))
            self.sessions.end_all(person.person_id, now)
            self.audit.record(now, "lockout", "locked", actor_id=person.person_id,
                              actor=person.name, detail=f"{failures} failed sign-ins in a row")

    def authenticate(self, token: str) -> Person:
        """The person a live session belongs to; refused if the session or account ended."""
        person_id = self.sessions.use(token, self.clock())
        person = self.directory().people[person_id]
        if not person.active:
            raise IdentityError("session_ended", "账号已停用或锁定，请联系安全管理员",
                                "this account is disabled or locked")
        return person

    def logout(self, token: str) -> bool:
        now = self.clock()
        try:
            person = self.authenticate(token)
        except IdentityError:
            return False
        self.sessions.end(token, now)
        self.audit.record(now, "logout", "ok", actor_id=person.person_id, actor=person.name)
        return True

    # ------------------------------------------------------------ enrolment

    def enrol(self, by: Person | None, login: str, name: str, unit: str,
              department: str | None = None, title: str | None = None) -> StaffEnrolled:
        """A new person's record (roles and password follow as their own facts)."""
        if self.directory().find(login) is not None:
            raise IdentityError("login_taken", f"登录名 {login} 已被使用",
                                f"the sign-in name {login} is taken")
        fact = StaffEnrolled(person_id=str(uuid.uuid4()), actor_id=by.person_id if by else
                             SYSTEM_ID, actor=by.name if by else "系统", occurred_at=self.clock(),
                             login=login, name=name, unit=unit, department=department,
                             title=title)
        self.record(fact)
        return fact

    def who_may(self, verb: str, unit: str | None, moment: datetime | None = None
                ) -> list[Person]:
        """Everyone who could do ``verb`` on ``unit`` (now, or at ``moment``)."""
        directory = self.directory() if moment is None else self.directory_at(moment)
        return [p for p in directory.people.values() if may(p, verb, unit)]

    def holders(self, role: Role) -> list[Person]:
        return self.directory().holding(role)
