"""Who may see and do what in the console: the identity package's one permission table, read
for the signed-in person as the identity service described them."""

from __future__ import annotations

from events.directory import Role
from services.console.backend import Staff
from services.identity.roles import PERMISSIONS


def may(staff: Staff, verb: str, unit: str | None = None) -> bool:
    """Like ``services.identity.roles.may``; ``unit`` None asks about any unit at all."""
    allowed = PERMISSIONS.get(verb, frozenset())
    return any(
        Role(g.role) in allowed and (unit is None or g.scope is None or g.scope == unit)
        for g in staff.grants
    )


def readable_units(staff: Staff) -> set[str] | None:
    """The units whose problems the person may read; None: every unit."""
    allowed = PERMISSIONS["read"]
    scopes = {g.scope for g in staff.grants if Role(g.role) in allowed}
    if None in scopes:
        return None
    return {s for s in scopes if s is not None}


def units_for(staff: Staff, verb: str) -> list[str] | None:
    """The units on which the person may do ``verb`` (None: any unit; empty: none)."""
    allowed = PERMISSIONS.get(verb, frozenset())
    scopes = {g.scope for g in staff.grants if Role(g.role) in allowed}
    return None if None in scopes else sorted(s for s in scopes if s is not None)


def home(staff: Staff) -> str:
    """Each role's own start page."""
    if staff.holds(Role.CAMPAIGN_OFFICE):
        return "/office"
    if staff.holds(Role.UNIT_STAFF, Role.UNIT_LEADER):
        return "/unit"
    if readable_units(staff) is None:
        return "/board"
    return "/account"
