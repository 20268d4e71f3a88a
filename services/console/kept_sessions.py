"""Signed-in browser sessions kept across a console restart, in a 0600 SQLite file.

A row is found by the SHA-256 of the browser's cookie id, and what it holds (the identity
session and the CSRF token) is sealed with AES-GCM under a key derived from that cookie id: the
file alone names no cookie and opens no session. Whether the person is still signed in is
still asked of the identity service on every request, so signing out, disabling an account or a
timeout ends the session at once, kept or not.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment

KEPT_DAYS = 7
"""Rows older than this are dropped (the identity service's own limit is hours)."""


class KeptSessions:
    def __init__(self, path: Path) -> None:
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        path.chmod(0o600)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS kept (id TEXT PRIMARY KEY,"
                             " sealed BLOB NOT NULL, kept_at REAL NOT NULL)")

    def keep(self, sid: str, csrf: str, token: str) -> None:
        sealed = _cipher(sid).encrypt(json.dumps({"csrf": csrf, "token": token}).encode())
        now = time.time()
        with self._lock:
            self._db.execute("DELETE FROM kept WHERE kept_at < ?", (now - KEPT_DAYS * 86400,))
            self._db.execute("INSERT OR REPLACE INTO kept (id, sealed, kept_at) VALUES (?, ?, ?)",
                             (_row_id(sid), sealed, now))

    def find(self, sid: str) -> tuple[str, str] | None:
        """The CSRF token and identity session kept for the cookie id ``sid``."""
        with self._lock:
            row = self._db.execute("SELECT sealed FROM kept WHERE id = ?",
                                   (_row_id(sid),)).fetchone()
        if row is None:
            return None
        kept = json.loads(_cipher(sid).decrypt(bytes(row[0])))
        return str(kept["csrf"]), str(kept["token"])

    def forget(self, sid: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM kept WHERE id = ?", (_row_id(sid),))

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _row_id(sid: str) -> str:
    return hashlib.sha256(b"row:" + sid.encode()).hexdigest()


def _cipher(sid: str) -> AESCipher:
    key = hashlib.sha256(b"key:" + sid.encode()).digest()
    return AESCipher(Environment(env={AESCipher.CIPHER_KEY: base64.b64encode(key).decode()}))
