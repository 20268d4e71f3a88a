"""The rectification ledger (整改台账): one row per problem, one ledger per unit.

Rows are keyed by the stream position of the problem's report; 序号 is the order of reporting
within the unit and never changes. Remarks (备注) are worked out when the ledger is read, since
超期 depends on the day it is read for. The header's 填报人, 电话 and 填报时间 are those of the
unit's latest ledger filing (报送) once there is one; until then, 填报人 is whoever filed its
first self-inspection and 填报时间 is blank. A unit's own proposed four determinations fill the
row until the office confirms them (备注 四定待确认) or sends them back (整改方案已退回).
Orders and circulars addressed to the unit as a whole are no row's: they are listed under the
ledger (``UnitLedger.notices``, read from the supervision read model).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from events.lifecycle import (
    DeadlineExtended,
    ProblemReopened,
    ProblemReported,
    ProblemTriaged,
    ProposalReturned,
    RectificationAssigned,
    RectificationProposed,
)
from events.notices import ResponseOverdue
from events.recorded import RecordedEvent
from events.status import DEADLINE_RUNS, is_overdue, status_after
from events.supervision import DeadlineWarningRaised, FilingSubmitted, ReboundSuspected
from events.vocabulary import Channel, Filing, Plan, ProblemStatus, WarningLevel
from projections.engine.projector import Index, Recorded
from projections.engine.rows import KeyedRows, Row
from projections.engine.store import ReadStore, Tx
from projections.models.facts import SET_AT_REPORT, notice_counter, reported_before
from projections.models.supervision import NoticeLine, read_notices

COLUMNS = ("序号", "执法问题", "执法案例", "整改措施", "整改时限", "责任部门", "责任领导", "备注")
ROW_KEYS = ("no", "problem", "case", "measures", "deadline", "department", "leader", "remarks",
            "unit", "problem_id", "status")
_ROW_FIELDS = "no, problem, case_text, measures, deadline, department, leader, unit, problem_id," \
    " status, plan, supervised, reopened, extended, circulars, warning, rebound, notice_overdue," \
    " deadline_text, proposal, typical"


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
    plan: Plan | None = None
    """Fixed on the spot (立行立改) or a roadmap, once assigned; not a template column."""
    deadline_as_written: str = ""
    """整改时限 as the unit wrote it, when it is not a date (“长期坚持”)."""

    def cells(self) -> tuple[str, ...]:
        """The eight template columns, as text."""
        deadline = self.deadline.isoformat() if self.deadline else self.deadline_as_written
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
    notices: tuple[NoticeLine, ...] = ()
    """Orders and circulars addressed to the unit as a whole, in the order issued."""


@dataclass(frozen=True)
class Flags:
    """What the remarks (备注) of one row are made of, besides its status."""

    plan: str | None = None
    supervised: int = 0
    circulars: int = 0
    reopened: bool = False
    extended: bool = False
    warning: WarningLevel | None = None
    rebound: bool = False
    notice_overdue: bool = False
    proposal: str | None = None
    """The unit's proposal: ``pending`` confirmation, or ``returned``; None once assigned."""
    typical: bool = False
    """典型案例: tracked closely (重点跟踪督办)."""


_COUNTED = frozenset({"supervised", "circulars"})


class LedgerProjector:
    """Keeps every unit's ledger rows and header facts."""

    name = "ledger"
    version = 4
    """3: the unit's proposals fill rows, 填报时间 is the filing's date. 4: typical cases."""
    indexes: Sequence[Index] = (Index("ledger_rows_by_unit", "ledger_rows", "unit, no"),)

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('ledger_rows')} (position INTEGER PRIMARY KEY,"
                   " problem_id TEXT NOT NULL UNIQUE, unit TEXT NOT NULL, no INTEGER NOT NULL,"
                   " problem TEXT NOT NULL, case_text TEXT NOT NULL, measures TEXT, deadline TEXT,"
                   " department TEXT, leader TEXT, plan TEXT, status TEXT NOT NULL,"
                   " supervised INTEGER NOT NULL DEFAULT 0, reopened INTEGER NOT NULL DEFAULT 0,"
                   " extended INTEGER NOT NULL DEFAULT 0, circulars INTEGER NOT NULL DEFAULT 0,"
                   " warning TEXT, rebound INTEGER NOT NULL DEFAULT 0,"
                   " notice_overdue INTEGER NOT NULL DEFAULT 0, deadline_text TEXT,"
                   " proposal TEXT, typical INTEGER NOT NULL DEFAULT 0)")
        tx.execute(f"CREATE TABLE {tx.table('ledger_units')} (unit TEXT PRIMARY KEY,"
                   " first_position INTEGER NOT NULL, reported INTEGER NOT NULL,"
                   " filed_by TEXT, phone TEXT, last_changed TEXT NOT NULL, filed_on TEXT)")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        units = KeyedRows(tx, tx.table("ledger_units"), "unit", _UNIT_COLUMNS)
        units.load(r.event.unit for r in batch)
        rows = KeyedRows(tx, tx.table("ledger_rows"), "problem_id", _ROW_COLUMNS, SET_AT_REPORT)
        rows.load(reported_before(batch))
        for recorded in batch:
            event, day = recorded.event, recorded.day
            if isinstance(event, FilingSubmitted):
                if event.filing is Filing.LEDGER:
                    _filed(units, recorded.position, event, day)
            elif isinstance(event, ProblemReported):
                _report(units, rows, recorded, event, day)
            elif recorded.problem:
                row = rows.get(recorded.problem)
                if row is not None and _update(row, event):
                    rows.changed(recorded.problem)
                    unit = units.get(event.unit)
                    if unit is not None and str(unit["last_changed"]) < day:
                        unit["last_changed"] = day
                        units.changed(event.unit)
        units.flush()
        rows.flush()


_UNIT_COLUMNS = ("first_position", "reported", "filed_by", "phone", "last_changed", "filed_on")
_ROW_COLUMNS = ("position", "unit", "no", "problem", "case_text", "measures", "deadline",
                "department", "leader", "plan", "status", "supervised", "reopened", "extended",
                "circulars", "warning", "rebound", "notice_overdue", "deadline_text", "proposal",
                "typical")


def _unit(units: KeyedRows, name: str, position: int, day: str) -> Row:
    """The unit's header facts, new (from ``position``) if it has none yet; on a later day,
    the ledger last changed that day."""
    row = units.get(name)
    if row is None:
        row = {"first_position": position, "reported": 0, "filed_by": None, "phone": None,
               "last_changed": day, "filed_on": None}
        units.add(name, row)
    elif str(row["last_changed"]) < day:
        row["last_changed"] = day
    units.changed(name)
    return row


def _filed(units: KeyedRows, position: int, event: FilingSubmitted, day: str) -> None:
    """The unit sent in its ledger: its 填报人, 电话, 填报时间 head the ledger from now on."""
    unit = _unit(units, event.unit, position, day)
    unit.update(filed_by=event.filed_by, phone=event.phone, filed_on=event.filed_on.isoformat())


def _report(units: KeyedRows, rows: KeyedRows, recorded: Recorded, event: ProblemReported,
            day: str) -> None:
    unit = _unit(units, event.unit, recorded.position, day)
    unit["reported"] = int(unit["reported"] or 0) + 1
    if unit["filed_by"] is None and event.channel is Channel.SELF_INSPECTION:
        unit["filed_by"] = event.actor
    rows.add(recorded.problem, {
        **dict.fromkeys(_ROW_COLUMNS, None), **dict.fromkeys(_FLAGS, 0),
        "position": recorded.position, "unit": event.unit, "no": unit["reported"],
        "problem": event.problem, "case_text": event.case,
        "status": ProblemStatus.REPORTED.value})


_FLAGS = ("supervised", "reopened", "extended", "circulars", "rebound", "notice_overdue",
          "typical")


def _update(row: Row, event: RecordedEvent) -> bool:
    """Change the problem's ``row``; whether the event changed the ledger."""
    sets: Row = {}
    if (status := status_after(event)) is not None:
        sets["status"] = status.value
    if isinstance(event, RectificationAssigned):
        sets.update(measures=event.measures, deadline=event.deadline.isoformat(),
                    department=event.department, leader=event.leader, plan=event.plan.value,
                    warning=None,  # a new deadline: earlier warnings no longer stand
                    deadline_text=None, proposal=None)
    elif isinstance(event, RectificationProposed):
        sets.update(measures=event.measures, department=event.department,
                    leader=event.leader, plan=event.plan.value, proposal="pending",
                    deadline=event.deadline.isoformat() if event.deadline else None,
                    deadline_text=event.deadline_as_written)
    elif isinstance(event, ProposalReturned):
        sets["proposal"] = "returned"
    elif isinstance(event, ProblemTriaged):
        sets["typical"] = int(event.typical)
    elif isinstance(event, DeadlineExtended):
        sets.update(deadline=event.deadline.isoformat(), extended=1, warning=None)
    elif isinstance(event, ProblemReopened):
        sets["reopened"] = 1
    elif isinstance(event, DeadlineWarningRaised):
        sets["warning"] = event.level.value
    elif isinstance(event, ReboundSuspected):
        sets["rebound"] = 1
    elif isinstance(event, ResponseOverdue):
        sets["notice_overdue"] = 1
    if (counter := notice_counter(event)) in _COUNTED:
        sets[counter] = int(row[counter] or 0) + 1
    row.update(sets)
    return bool(sets)


_WARNING_REMARKS = {WarningLevel.BLUE: "临期（蓝色预警）",
                    WarningLevel.YELLOW: "进度滞后（黄色预警）"}


def _times(text: str, count: int) -> str:
    return text if count == 1 else f"{text}{count}次"


def remarks(status: ProblemStatus, deadline: date | None, flags: Flags, today: date) -> str:
    """备注: the status, 典型案例, then 超期 (or the standing warning), 立行立改, 督办, 通报,
    督办逾期未回复, 已重新打开, 已延期, 疑似反弹, 四定待确认, 整改方案已退回 where they hold."""
    parts = [status.label("zh")]
    overdue = is_overdue(status, deadline, today)
    if overdue:
        parts.append("超期（红色预警）" if flags.warning is WarningLevel.RED else "超期")
    elif flags.warning in _WARNING_REMARKS and status in DEADLINE_RUNS:
        parts.append(_WARNING_REMARKS[flags.warning])
    marks = ((flags.plan == Plan.IMMEDIATE, "立行立改"),
             (flags.supervised > 0, _times("督办", flags.supervised)),
             (flags.circulars > 0, _times("通报", flags.circulars)),
             (flags.notice_overdue, "督办逾期未回复"), (flags.reopened, "已重新打开"),
             (flags.extended, "已延期"), (flags.rebound, "疑似反弹"),
             (flags.proposal == "pending", "四定待确认"),
             (flags.proposal == "returned", "整改方案已退回"))
    parts.extend(text for holds, text in marks if holds)
    if flags.typical:
        parts.insert(1, "典型案例")
    return "；".join(parts)


def read_ledger(store: ReadStore, today: date, unit: str | None = None) -> list[UnitLedger]:
    """Each unit's ledger (or only ``unit``'s), rows in 序号 order, remarks as of ``today``."""
    with store.read() as tx:
        if not tx.exists("ledger_units"):
            return []
        units = tx.query(f"SELECT unit, filed_by, phone, filed_on FROM"
                         f" {tx.table('ledger_units')} ORDER BY first_position")
        rows = tx.query(f"SELECT {_ROW_FIELDS} FROM {tx.table('ledger_rows')} ORDER BY unit, no")
    notices: dict[str, list[NoticeLine]] = {}
    for line in read_notices(store, unit):
        if not line.problem_id:
            notices.setdefault(line.unit, []).append(line)
    by_unit: dict[str, list[LedgerRow]] = {}
    for (no, problem, case, measures, deadline, department, leader, row_unit, problem_id,
         status, plan, supervised, reopened, extended, circulars, warning, rebound,
         notice_overdue, deadline_text, proposal, typical) in rows:
        due = date.fromisoformat(deadline) if deadline else None
        state = ProblemStatus(status)
        flags = Flags(plan, int(supervised), int(circulars), bool(reopened), bool(extended),
                      WarningLevel(warning) if warning else None, bool(rebound),
                      bool(notice_overdue), proposal, bool(typical))
        note = remarks(state, due, flags, today)
        by_unit.setdefault(row_unit, []).append(LedgerRow(
            no, problem, case, measures or "", due, department or "", leader or "", note,
            row_unit, problem_id, state, Plan(plan) if plan else None, deadline_text or ""))
    return [
        UnitLedger(LedgerHeader(name, filed_by or "", phone or "",
                                date.fromisoformat(filed_on) if filed_on else None),
                   tuple(by_unit.get(name, ())), tuple(notices.get(name, ())))
        for name, filed_by, phone, filed_on in units
        if unit is None or name == unit
    ]
