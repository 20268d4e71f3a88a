"""审计日志: sign-ins, failures, lockouts, account and role changes, unmasking, refusals.

Each record says who, what, on what, when and with which result, and is chained to the one
before it by a SHA-256 hash, so a record altered or removed outside rectify shows up in
``verify``; the store's triggers refuse changes and deletions from within.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from services.identity.store import IdentityStore

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: str
    actor_id: str | None
    actor: str | None
    action: str
    target: str | None
    result: str
    detail: str | None

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def _digest(prev_hash: str, fields: tuple[object, ...]) -> str:
    body = json.dumps([prev_hash, *fields], ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


class AuditLog:
    """Append and read the audit records kept in the identity store."""

    def __init__(self, store: IdentityStore) -> None:
        self.store = store

    def record(self, at: datetime, action: str, result: str, *, actor_id: str | None = None,
               actor: str | None = None, target: str | None = None,
               detail: str | None = None) -> None:
        with self.store.transaction() as db:
            last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
            fields = (seq, at.isoformat(), actor_id, actor, action, target, result, detail)
            db.execute("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (*fields, prev, _digest(prev, fields)))

    def records(self, since: datetime | None = None,
                actor: str | None = None) -> list[AuditRecord]:
        """In order; from ``since`` on; only those by ``actor`` (a name, login or person id)."""
        rows = self.store.read("SELECT seq, at, actor_id, actor, action, target, result, detail "
                               "FROM audit WHERE at >= ? ORDER BY seq",
                               since.isoformat() if since else "")
        found = [AuditRecord(*row) for row in rows]  # type: ignore[arg-type]
        if actor is not None:
            found = [r for r in found if actor in (r.actor, r.actor_id)]
        return found

    def verify(self) -> int | None:
        """The sequence of the first record that does not match its chain, or None."""
        prev = GENESIS
        for row in self.store.read("SELECT * FROM audit ORDER BY seq"):
            fields, stored_prev, stored_hash = row[:8], row[8], row[9]
            if stored_prev != prev or _digest(prev, fields) != stored_hash:
                return int(str(row[0]))
            prev = str(stored_hash)
        return None
