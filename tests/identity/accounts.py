"""Builders for identity tests: a real identity store in a temp dir, a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp

from events.directory import Role
from services.identity.accounts import Accounts
from services.identity.directory import Person
from services.identity.management import Issued, StaffManagement
from services.identity.sessions import SessionPolicy
from services.identity.store import IdentityStore

PASSWORD = "Zhenggai-2026!"


@dataclass
class MovingClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 3, 1, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def accounts_in(tmp_path: Path, clock: MovingClock) -> Accounts:
    return Accounts(IdentityStore.in_data_dir(tmp_path / "data"), clock,
                    SessionPolicy(idle=timedelta(minutes=30), longest=timedelta(hours=8)))


def enrol(accounts: Accounts, login: str, name: str, unit: str, *grants: tuple[Role, str | None],
          by: Person | None = None) -> Issued:
    """A person with a known password already changed (TOTP seeded for administrators)."""
    return StaffManagement(accounts).add(by, login, name, unit, list(grants), password=PASSWORD,
                                         must_change=False)


def code(issued: Issued) -> str:
    assert issued.totp_uri is not None
    return pyotp.TOTP(pyotp.parse_uri(issued.totp_uri).secret).now()
