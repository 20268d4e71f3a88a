"""Permission violations nats-server reported, taken into the audit log.

The embedded nats-server writes each refused connection, publication and subscription to its
log; before the audit log is read, the lines written since the last reading become audit
records (the place reached is kept in the identity store, so none is taken in twice).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from services.identity.audit import AuditLog

_VIOLATION = re.compile(
    r"(?P<at>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d+) \[ERR\] (?P<peer>\S+) - cid:\d+ - "
    r"(?:\"[^\"]*\" - \"[^\"]*user:(?P<user>[^\"]+)\" - (?P<kind>Publish|Subscription) "
    r"Violation - Subject \"(?P<subject>[^\"]+)\"|(?P<auth>authentication error))")


def take_in_violations(log: Path, audit: AuditLog) -> int:
    """Record the violations logged since last time; how many there were."""
    store = audit.store
    with store.transaction() as db:
        db.execute("CREATE TABLE IF NOT EXISTS bus_log (path TEXT PRIMARY KEY, offset INTEGER)")
        row = db.execute("SELECT offset FROM bus_log WHERE path = ?", (str(log),)).fetchone()
    start = int(row[0]) if row else 0
    try:
        with log.open("rb") as handle:
            if handle.seek(0, 2) < start:
                start = 0  # a new log file
            handle.seek(start)
            text, end = handle.read().decode("utf-8", "replace"), handle.tell()
    except FileNotFoundError:
        return 0
    found = [m for line in text.splitlines() if (m := _VIOLATION.search(line))]
    for match in found:
        # nats-server writes its local time
        at = datetime.strptime(match["at"], "%Y/%m/%d %H:%M:%S.%f").astimezone(UTC)
        if match["auth"]:
            audit.record(at, "bus-login", "refused", target=match["peer"],
                         detail="NATS authentication error")
        else:
            audit.record(at, f"bus-{match['kind'].lower()}", "refused",
                         actor_id=f"nats:{match['user']}", actor=match["user"],
                         target=match["subject"], detail=f"from {match['peer']}")
    with store.transaction() as db:
        db.execute("INSERT INTO bus_log VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET offset = "
                   "excluded.offset", (str(log), end))
    return len(found)
