"""The identity store: one SQLite file, readable and writable only by the service's user.

Directory facts and audit records are append-only (triggers refuse UPDATE and DELETE);
credentials and sessions are current state. Secrets (password hashes, TOTP seeds) live here
and never on the event record or the bus.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

IDENTITY_FILE = "identity.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS directory (
    seq INTEGER PRIMARY KEY, type TEXT NOT NULL, person_id TEXT NOT NULL,
    occurred_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    person_id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, totp_secret TEXT,
    must_change INTEGER NOT NULL DEFAULT 1, failures INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, person_id TEXT NOT NULL, created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor_id TEXT, actor TEXT, action TEXT NOT NULL,
    target TEXT, result TEXT NOT NULL, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS directory_append_only BEFORE UPDATE ON directory
    BEGIN SELECT RAISE(ABORT, 'directory facts are never changed'); END;
CREATE TRIGGER IF NOT EXISTS directory_no_delete BEFORE DELETE ON directory
    BEGIN SELECT RAISE(ABORT, 'directory facts are never deleted'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit records are never changed'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit records are never deleted'); END;
"""


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing; the directory itself becomes 0700."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


class IdentityStore:
    """A thread-safe SQLite connection to the identity file (created 0600 in a 0700 dir)."""

    def __init__(self, path: Path) -> None:
        private_dir(path.parent)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        path.chmod(0o600)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                   timeout=10.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> IdentityStore:
        return cls(data_dir / IDENTITY_FILE)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: writers in other processes wait, nothing is half-written."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def read(self, sql: str, *args: object) -> list[tuple[object, ...]]:
        with self._lock:
            return list(self._db.execute(sql, args))

    def close(self) -> None:
        with self._lock:
            self._db.close()
