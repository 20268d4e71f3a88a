"""申请延期: the units' requests for a later deadline and what their leaders decided.

One row per ``ExtensionRequested``, pending until the leader approves it (``DeadlineExtended``
naming the request) or refuses it (``ExtensionRefused``); a request still pending when the fix is
verified lapses. A problem has at most one pending request, so a decision settles the row of its
problem that is still pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from events.lifecycle import DeadlineExtended, ExtensionRefused, ExtensionRequested, FixVerified
from projections.engine.projector import Index, Recorded
from projections.engine.store import ReadStore, Tx


class RequestState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    LAPSED = "lapsed"

    def label(self, lang: str = "zh") -> str:
        zh, en = {
            RequestState.PENDING: ("待审批", "waiting"),
            RequestState.APPROVED: ("已批准", "approved"),
            RequestState.REFUSED: ("不予批准", "refused"),
            RequestState.LAPSED: ("已失效（整改已验收）", "lapsed (fix verified)"),
        }[self]
        return zh if lang == "zh" else en


@dataclass(frozen=True)
class ExtensionRequest:
    problem_id: str
    unit: str
    requested_by: str
    requested_at: datetime
    current_deadline: date
    deadline: date
    reason: str
    state: RequestState
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


class ExtensionsProjector:
    name = "extensions"
    version = 1
    indexes: Sequence[Index] = ()

    def create(self, tx: Tx) -> None:
        table = tx.table("extension_requests")
        tx.execute(f"CREATE TABLE {table} (position INTEGER PRIMARY KEY,"
                   " problem_id TEXT NOT NULL, unit TEXT NOT NULL, requested_by TEXT NOT NULL,"
                   " requested_at TEXT NOT NULL, current_deadline TEXT NOT NULL,"
                   " deadline TEXT NOT NULL, reason TEXT NOT NULL, state TEXT NOT NULL,"
                   " decided_by TEXT, decided_at TEXT, decision_reason TEXT)")
        # Not one of ``indexes``: settling a request updates by it while applying.
        tx.execute(f"CREATE INDEX {table}_problem ON {table} (problem_id, state)")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        table = tx.table("extension_requests")
        for recorded in batch:
            event = recorded.event
            if isinstance(event, ExtensionRequested):
                tx.execute(f"INSERT INTO {table} (position, problem_id, unit, requested_by,"
                           " requested_at, current_deadline, deadline, reason, state)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (recorded.position, recorded.problem, event.unit, event.actor,
                            recorded.at, event.current_deadline.isoformat(),
                            event.deadline.isoformat(), event.reason, RequestState.PENDING.value))
            elif isinstance(event, ExtensionRefused):
                self._settle(tx, recorded, RequestState.REFUSED, event.actor, event.reason)
            elif isinstance(event, DeadlineExtended) and event.request_version is not None:
                self._settle(tx, recorded, RequestState.APPROVED, event.approved_by, None)
            elif isinstance(event, FixVerified):
                self._settle(tx, recorded, RequestState.LAPSED, None, None)

    @staticmethod
    def _settle(tx: Tx, recorded: Recorded, state: RequestState, by: str | None,
                reason: str | None) -> None:
        tx.execute(f"UPDATE {tx.table('extension_requests')} SET state = ?, decided_by = ?,"
                   " decided_at = ?, decision_reason = ? WHERE problem_id = ? AND state = ?",
                   (state.value, by, recorded.at, reason, recorded.problem,
                    RequestState.PENDING.value))


def read_extension_requests(store: ReadStore, units: set[str] | None = None,
                            problem_id: str | None = None,
                            pending_only: bool = False) -> list[ExtensionRequest]:
    """Requests of ``units`` (None: every unit), or of one problem, oldest first."""
    with store.read() as tx:
        if not tx.exists("extension_requests"):
            return []
        rows = tx.query(f"SELECT problem_id, unit, requested_by, requested_at, current_deadline,"
                        f" deadline, reason, state, decided_by, decided_at, decision_reason"
                        f" FROM {tx.table('extension_requests')} ORDER BY position")
    found = []
    for (pid, unit, by, at, current, deadline, reason, state, decided_by, decided_at,
         decision_reason) in rows:
        if (units is not None and unit not in units) or (problem_id and pid != problem_id):
            continue
        if pending_only and state != RequestState.PENDING.value:
            continue
        found.append(ExtensionRequest(
            str(pid), str(unit), str(by), datetime.fromisoformat(str(at)),
            date.fromisoformat(str(current)), date.fromisoformat(str(deadline)), str(reason),
            RequestState(state), str(decided_by) if decided_by else None,
            datetime.fromisoformat(str(decided_at)) if decided_at else None,
            str(decision_reason) if decision_reason else None))
    return found
