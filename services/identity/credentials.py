"""Credentials: password hashes, TOTP seeds and failure counts, apart from the record."""

from __future__ import annotations

from dataclasses import dataclass

import pyotp

from services.identity.passwords import hash_password
from services.identity.store import IdentityStore

ISSUER = "rectify"


@dataclass(frozen=True)
class Credential:
    password_hash: str
    totp_secret: str | None
    must_change: bool
    failures: int


class Credentials:
    def __init__(self, store: IdentityStore) -> None:
        self.store = store

    def get(self, person_id: str) -> Credential | None:
        rows = self.store.read("SELECT password_hash, totp_secret, must_change, failures "
                               "FROM credentials WHERE person_id = ?", person_id)
        if not rows:
            return None
        password_hash, secret, must_change, failures = rows[0]
        return Credential(str(password_hash), None if secret is None else str(secret),
                          bool(must_change), int(failures))  # type: ignore[call-overload]

    def set_password(self, person_id: str, password: str, must_change: bool) -> None:
        hashed = hash_password(password)
        with self.store.transaction() as db:
            db.execute("INSERT INTO credentials (person_id, password_hash, must_change) "
                       "VALUES (?,?,?) ON CONFLICT (person_id) DO UPDATE SET password_hash = "
                       "excluded.password_hash, must_change = excluded.must_change, failures = 0",
                       (person_id, hashed, int(must_change)))

    def new_totp(self, person_id: str, login: str) -> str:
        """A fresh TOTP seed for the person; returns its otpauth:// URI (shown once)."""
        secret = pyotp.random_base32()
        with self.store.transaction() as db:
            db.execute("UPDATE credentials SET totp_secret = ? WHERE person_id = ?",
                       (secret, person_id))
        return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER)

    def failed(self, person_id: str) -> int:
        """Count one more failed sign-in; returns the count in a row."""
        with self.store.transaction() as db:
            db.execute("UPDATE credentials SET failures = failures + 1 WHERE person_id = ?",
                       (person_id,))
            row = db.execute("SELECT failures FROM credentials WHERE person_id = ?",
                             (person_id,)).fetchone()
        return int(row[0])

    def succeeded(self, person_id: str) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE credentials SET failures = 0 WHERE person_id = ?", (person_id,))


def totp_matches(secret: str, code: str) -> bool:
    return pyotp.TOTP(secret).verify(code.strip(), valid_window=1)
