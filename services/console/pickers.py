"""The four-determinations form's choices of 责任领导 and 责任部门, from the staff directory.

Leaders first: the unit's own leaders (单位负责人), then the bureau's (局领导), each with their
title; then names already on record in earlier assignments. Departments: those of the unit's
staff in the directory, then those already on record. The form still takes a name typed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from events.directory import Role
from services.identity.directory import Person


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def leader_choices(people: Iterable[Person], unit: str, on_record: Iterable[str],
                   lang: str = "zh") -> list[Choice]:
    active = [p for p in people if p.active]
    ranked = [p for role in (Role.UNIT_LEADER, Role.BUREAU_LEADER) for p in active
              if any(g.role is role and g.covers(unit) for g in p.grants)]
    choices: dict[str, Choice] = {}
    for person in ranked:
        role = next(g.role for g in person.grants
                    if g.role in (Role.UNIT_LEADER, Role.BUREAU_LEADER))
        title = person.title or role.label("en" if lang == "en" else "zh")
        choices.setdefault(person.name, Choice(person.name, f"{title} · {person.unit}"))
    for name in on_record:
        choices.setdefault(name, Choice(name, "已有记录" if lang == "zh" else "on record"))
    return list(choices.values())


def department_choices(people: Iterable[Person], unit: str,
                       on_record: Iterable[str]) -> list[str]:
    own = sorted({p.department for p in people if p.active and p.unit == unit and p.department})
    return own + [d for d in on_record if d not in own]
