"""The rectification ledger (整改台账): one row per problem, one ledger per unit.

Rows are keyed by the stream position of the problem's report; 序号 is the order of reporting
within the unit and never changes. Remarks (备注) are worked out when the ledger is read, since
超期 depends on the day it is read for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from events.base import ProblemEventBase
from events.lifecycle import (
    DeadlineExtended,
    ProblemEvent,
    ProblemReopened,
    ProblemReported,
    RectificationAssigned,
    SupervisionOrderIssued,
)
from events.vocabulary import Channel, Plan, ProblemStatus
from projections.facts import is_overdue, local_date, status_after
from projections.projector import Recorded
from projections.store import ReadStore, Tx

COLUMNS = ("序号", "执法问题", "执法案例", "整改措施", "整改时限", "责任部门", "责任领导", "备注")
ROW_KEYS = ("no", "problem", "case", "measures", "deadline", "department", "leader", "remarks",
            "unit", "problem_id", "status")
_ROW_FIELDS = "no, problem, case_text, measures, deadline, department, leader, unit, problem_id," \
    " status, plan, supervised, reopened, extended"


@dataclass(frozen=True)
class LedgerRow:
    """One line of the ledger, as the template shows it."""

    no: int
    problem: str
    case: str
    measures: str
    deadline: date | None
    department: str
    leader: str
    remarks: str
    unit: str
    problem_id: str
    status: ProblemStatus

    def cells(self) -> tuple[str, ...]:
        """The eight template columns, as text."""
        deadline = self.deadline.isoformat() if self.deadline else ""
        return (str(self.no), self.problem, self.case, self.measures, deadline,
                self.department, self.leader, self.remarks)

    def as_dict(self) -> dict[str, str | int]:
        values = (*self.cells()[1:], self.unit, self.problem_id, self.status.value)
        return {"no": self.no, **dict(zip(ROW_KEYS[1:], values, strict=True))}


@dataclass(frozen=True)
class LedgerHeader:
    """The line above the table: 填报单位, 填报人, 电话, 填报时间."""

    unit: str
    filed_by: str
    phone: str
    filed_on: date | None


@dataclass(frozen=True)
class UnitLedger:
    header: LedgerHeader
    rows: tuple[LedgerRow, ...]


class LedgerProjector:
    """Keeps every unit's ledger rows and header facts."""

    name = "ledger"

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('ledger_rows')} (position INTEGER PRIMARY KEY,"
                   " problem_id TEXT NOT NULL UNIQUE, unit TEXT NOT NULL, no INTEGER NOT NULL,"
                   " problem TEXT NOT NULL, case_text TEXT NOT NULL, measures TEXT, deadline TEXT,"
                   " department TEXT, leader TEXT, plan TEXT, status TEXT NOT NULL,"
                   " supervised INTEGER NOT NULL DEFAULT 0, reopened INTEGER NOT NULL DEFAULT 0,"
                   " extended INTEGER NOT NULL DEFAULT 0)")
        tx.execute(f"CREATE INDEX {tx.table('ledger_rows_by_unit')}"
                   f" ON {tx.table('ledger_rows')} (unit, no)")
        tx.execute(f"CREATE TABLE {tx.table('ledger_units')} (unit TEXT PRIMARY KEY,"
                   " first_position INTEGER NOT NULL, reported INTEGER NOT NULL,"
                   " filed_by TEXT, phone TEXT, last_changed TEXT NOT NULL)")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        for recorded in batch:
            event = recorded.event
            if not isinstance(event, ProblemEventBase):  # unit facts: no ledger row
                continue
            if isinstance(event, ProblemReported):
                self._report(tx, recorded.position, event)
            elif self._update(tx, event):
                tx.execute(f"UPDATE {tx.table('ledger_units')} SET last_changed = ?"
                           " WHERE unit = ? AND last_changed < ?",
                           (local_date(event.occurred_at).isoformat(), event.unit,
                            local_date(event.occurred_at).isoformat()))

    def _report(self, tx: Tx, position: int, event: ProblemReported) -> None:
        units, day = tx.table("ledger_units"), local_date(event.occurred_at).isoformat()
        filer = event.actor if event.channel is Channel.SELF_INSPECTION else None
        tx.execute(f"INSERT INTO {units} (unit, first_position, reported, filed_by, last_changed)"
                   " VALUES (?, ?, 1, ?, ?) ON CONFLICT (unit) DO UPDATE SET"
                   f" reported = {units}.reported + 1,"
                   f" filed_by = COALESCE({units}.filed_by, excluded.filed_by),"
                   " last_changed = CASE WHEN excluded.last_changed > "
                   f"{units}.last_changed THEN excluded.last_changed"
                   f" ELSE {units}.last_changed END", (event.unit, position, filer, day))
        no = int(tx.query(f"SELECT reported FROM {units} WHERE unit = ?", (event.unit,))[0][0])
        tx.execute(f"INSERT INTO {tx.table('ledger_rows')} (position, problem_id, unit, no,"
                   " problem, case_text, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (position, str(event.problem_id), event.unit, no, event.problem, event.case,
                    ProblemStatus.REPORTED.value))

    def _update(self, tx: Tx, event: ProblemEvent) -> bool:
        """Change the problem's row; whether the event changed the ledger."""
        rows = tx.table("ledger_rows")
        sets: dict[str, str | int] = {}
        if (status := status_after(event)) is not None:
            sets["status"] = status.value
        if isinstance(event, RectificationAssigned):
            sets.update(measures=event.measures, deadline=event.deadline.isoformat(),
                        department=event.department, leader=event.leader, plan=event.plan.value)
        elif isinstance(event, DeadlineExtended):
            sets.update(deadline=event.deadline.isoformat(), extended=1)
        elif isinstance(event, ProblemReopened):
            sets["reopened"] = 1
        elif isinstance(event, SupervisionOrderIssued):
            sets["supervised"] = 1
        if not sets:
            return False
        assignments = ", ".join(f"{column} = ?" for column in sets)
        return tx.execute(f"UPDATE {rows} SET {assignments} WHERE problem_id = ?",
                          (*sets.values(), str(event.problem_id))) > 0


def remarks(status: ProblemStatus, deadline: date | None, plan: str | None, supervised: bool,
            reopened: bool, extended: bool, today: date) -> str:
    """备注: the status, then 超期, 立行立改, 督办, 已重新打开, 已延期 where they hold."""
    parts = [status.label("zh")]
    flags = ((is_overdue(status, deadline, today), "超期"), (plan == Plan.IMMEDIATE, "立行立改"),
             (supervised, "督办"), (reopened, "已重新打开"), (extended, "已延期"))
    parts.extend(text for holds, text in flags if holds)
    return "；".join(parts)


def read_ledger(store: ReadStore, today: date, unit: str | None = None) -> list[UnitLedger]:
    """Each unit's ledger (or only ``unit``'s), rows in 序号 order, remarks as of ``today``."""
    with store.read() as tx:
        if not tx.exists("ledger_units"):
            return []
        units = tx.query(f"SELECT unit, filed_by, phone, last_changed FROM"
                         f" {tx.table('ledger_units')} ORDER BY first_position")
        rows = tx.query(f"SELECT {_ROW_FIELDS} FROM {tx.table('ledger_rows')} ORDER BY unit, no")
    by_unit: dict[str, list[LedgerRow]] = {}
    for (no, problem, case, measures, deadline, department, leader, row_unit, problem_id,
         status, plan, supervised, reopened, extended) in rows:
        due = date.fromisoformat(deadline) if deadline else None
        state = ProblemStatus(status)
        note = remarks(state, due, plan, bool(supervised), bool(reopened), bool(extended), today)
        by_unit.setdefault(row_unit, []).append(LedgerRow(
            no, problem, case, measures or "", due, department or "", leader or "", note,
            row_unit, problem_id, state))
    return [
        UnitLedger(LedgerHeader(name, filed_by or "", phone or "", date.fromisoformat(changed)),
                   tuple(by_unit.get(name, ())))
        for name, filed_by, phone, changed in units
        if unit is None or name == unit
    ]
