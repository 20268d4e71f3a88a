"""Sessions: an opaque random token given at sign-in, kept only as its SHA-256 on the server.

A session ends when idle too long, at its absolute expiry, at sign-out, or when the account
is disabled, locked or reset; each check happens on every use, so an ended session is refused
at once.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.identity.errors import IdentityError
from services.identity.store import IdentityStore


@dataclass(frozen=True)
class SessionPolicy:
    """等保 2.0 session timeout: idle minutes, and an absolute limit in hours."""

    idle: timedelta = timedelta(minutes=30)
    longest: timedelta = timedelta(hours=8)

    @classmethod
    def from_env(cls) -> SessionPolicy:
        env = os.environ
        return cls(idle=timedelta(minutes=float(env.get("RECTIFY_SESSION_IDLE_MINUTES", "30"))),
                   longest=timedelta(hours=float(env.get("RECTIFY_SESSION_HOURS", "8"))))


def _hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _ended(zh: str, en: str) -> IdentityError:
    return IdentityError("session_ended", f"会话已失效（{zh}），请重新登录 rectify login",
                         f"your session has ended ({en}); sign in again with rectify login")


class Sessions:
    def __init__(self, store: IdentityStore, policy: SessionPolicy) -> None:
        self.store, self.policy = store, policy

    def open(self, person_id: str, now: datetime) -> tuple[str, datetime]:
        """A new session's token (shown once) and its absolute expiry."""
        token = secrets.token_urlsafe(32)
        expires = now + self.policy.longest
        with self.store.transaction() as db:
            db.execute("INSERT INTO sessions VALUES (?,?,?,?,?,NULL)",
                       (_hashed(token), person_id, now.isoformat(), now.isoformat(),
                        expires.isoformat()))
        return token, expires

    def use(self, token: str, now: datetime) -> str:
        """The person id of a live session, which counts as activity; refused when ended."""
        with self.store.transaction() as db:
            row = db.execute("SELECT person_id, last_seen, expires_at, revoked_at FROM sessions "
                             "WHERE token_hash = ?", (_hashed(token),)).fetchone()
            if row is None:
                raise _ended("未知会话", "unknown session")
            person_id, last_seen, expires_at, revoked_at = row
            if revoked_at is not None:
                raise _ended("已注销或被撤销", "signed out or revoked")
            if now >= datetime.fromisoformat(expires_at):
                raise _ended("已到期", "expired")
            if now - datetime.fromisoformat(last_seen) > self.policy.idle:
                raise _ended("长时间未操作", "idle too long")
            db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                       (max(now, datetime.fromisoformat(last_seen)).isoformat(),
                        _hashed(token)))
        return str(person_id)

    def end(self, token: str, now: datetime) -> bool:
        with self.store.transaction() as db:
            done = db.execute("UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND "
                              "revoked_at IS NULL", (now.isoformat(), _hashed(token)))
            return done.rowcount > 0

    def end_all(self, person_id: str, now: datetime) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE sessions SET revoked_at = ? WHERE person_id = ? AND "
                       "revoked_at IS NULL", (now.isoformat(), person_id))
