"""The staff directory as a fold over its facts: who exists, with which roles, right now or at
any moment in the past (the facts are replayed up to that moment)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from events.directory import (
    AccountLocked,
    DirectoryEvent,
    PasswordReset,
    Role,
    RoleGranted,
    RoleRevoked,
    StaffDisabled,
    StaffEnabled,
    StaffEnrolled,
)


@dataclass(frozen=True)
class Grant:
    """A role, for one unit or (``scope`` None) for every unit."""

    role: Role
    scope: str | None = None

    def covers(self, unit: str | None) -> bool:
        return self.scope is None or self.scope == unit

    def label(self, lang: str = "zh") -> str:
        role = self.role.label("en" if lang == "en" else "zh")
        return role if self.scope is None else f"{role}（{self.scope}）"


@dataclass
class Person:
    """One member of staff as the directory knows them."""

    person_id: str
    login: str
    name: str
    unit: str
    department: str | None
    title: str | None
    grants: set[Grant] = field(default_factory=set)
    disabled: bool = False
    locked: bool = False

    @property
    def active(self) -> bool:
        return not (self.disabled or self.locked)

    def has(self, role: Role) -> bool:
        return any(g.role is role for g in self.grants)

    @property
    def administrator(self) -> bool:
        return any(g.role.administrator for g in self.grants)


class Directory:
    """Everyone enrolled, folded from the directory's facts in order."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.by_login: dict[str, str] = {}

    @classmethod
    def replay(cls, facts: Iterable[DirectoryEvent], until: datetime | None = None) -> Directory:
        """The directory after ``facts`` (only those that happened up to ``until``)."""
        directory = cls()
        for fact in facts:
            if until is None or fact.occurred_at <= until:
                directory.apply(fact)
        return directory

    def apply(self, fact: DirectoryEvent) -> None:
        if isinstance(fact, StaffEnrolled):
            self.people[fact.person_id] = Person(fact.person_id, fact.login, fact.name,
                                                 fact.unit, fact.department, fact.title)
            self.by_login[fact.login] = fact.person_id
            return
        person = self.people[fact.person_id]
        match fact:
            case RoleGranted():
                person.grants.add(Grant(fact.role, fact.scope))
            case RoleRevoked():
                person.grants.discard(Grant(fact.role, fact.scope))
            case StaffDisabled():
                person.disabled = True
            case StaffEnabled():
                person.disabled = person.locked = False
            case PasswordReset():
                person.locked = False
            case AccountLocked():
                person.locked = True

    def find(self, login: str) -> Person | None:
        person_id = self.by_login.get(login)
        return None if person_id is None else self.people[person_id]

    def holding(self, role: Role, unit: str | None = None) -> list[Person]:
        """Active people holding ``role`` for ``unit`` (any unit when None)."""
        return [p for p in self.people.values() if p.active and any(
            g.role is role and (unit is None or g.covers(unit)) for g in p.grants)]
