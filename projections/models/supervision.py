"""Supervision facts (督办、通报、预警、报送、反弹、抽查、答复送达) as the board, ledger and summary
read them.

Orders and circulars on a problem and on a unit share one table (a unit's own have an empty
``problem_id``) and are numbered as the aggregates number them: from 1, per problem or unit and
kind, in the order issued. A read, a response or an overdue response marks the notice it names.
The copies of a circular to all units share a ``broadcast`` id: ``read_broadcasts`` gathers
them into who has read it and who still owes a response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from events.lifecycle import AnswerDelivered, AnswerDeliveryFailed
from events.notices import NoticeIssued, NoticeRead, NoticeResponded, ResponseOverdue
from events.recorded import RecordedEvent
from events.supervision import (
    DeadlineWarningRaised,
    FilingOverdue,
    FilingSubmitted,
    ReboundSuspected,
    SpotCheckSelected,
)
from events.vocabulary import Filing, Notice, Trigger, WarningLevel, Watched
from projections.engine.projector import Index, Recorded
from projections.engine.store import ReadStore, SqlValue, Tx
from projections.models.facts import CHINA_TIME

_NOTICE_FIELDS = "unit, problem_id, notice, number, reason, due, issued_at, issued_by," \
    " responded_at, response, overdue, triggers, broadcast, response_required, read_at, read_by"


@dataclass(frozen=True)
class NoticeLine:
    """One supervision order (督办) or circular (通报), on a problem or on a whole unit."""

    unit: str
    problem_id: str
    notice: Notice
    number: int
    reason: str
    due: date | None
    issued_at: datetime
    issued_by: str
    responded_at: datetime | None
    response: str
    response_overdue: bool
    triggers: tuple[Trigger, ...] = ()
    broadcast: str = ""
    """The id the copies of a circular to all units share; empty: to this target alone."""
    response_required: bool = True
    read_at: datetime | None = None
    read_by: str = ""

    def late(self, today: date) -> bool:
        """Past its response date without a response."""
        return self.owing and self.due is not None and self.due < today

    @property
    def owing(self) -> bool:
        """A response is asked of the unit and not given yet."""
        return self.response_required and self.responded_at is None

    def text(self) -> str:
        """As a ledger lists it: 督办第1号（2023-03-20 下发，2023-03-25 前回复）：事由。待回复."""
        issued = self.issued_at.astimezone(CHINA_TIME).date().isoformat()
        due = f"，{self.due.isoformat()} 前回复" if self.due else ""
        if self.responded_at is not None:
            state = f"已回复：{self.response}"
        elif not self.response_required:
            state = "已阅" if self.read_at is not None else "待阅"
        else:
            state = "逾期未回复" if self.response_overdue else "待回复"
        kind = self.notice.label("zh")
        return f"{kind}第{self.number}号（{issued} 下发{due}）：{self.reason}。{state}"


@dataclass(frozen=True)
class WarningLine:
    problem_id: str
    unit: str
    level: WarningLevel
    watched: Watched
    due: date
    milestone: int | None
    working_days_left: int
    raised_at: datetime


@dataclass(frozen=True)
class FilingLine:
    """A unit's ledger or report that was due: when, and when (if ever) it came."""

    unit: str
    filing: Filing
    due: date | None
    overdue_since: datetime | None
    submitted_at: datetime | None
    filed_by: str


@dataclass(frozen=True)
class ReboundLine:
    problem_id: str
    unit: str
    closed_problem: str
    closed_on: date
    days_since_closed: int
    raised_at: datetime


@dataclass(frozen=True)
class UndeliveredAnswer:
    """An answer the reporter's channel refused (or could not be tried): answer again."""

    problem_id: str
    unit: str
    code: str
    reason: str
    reason_en: str
    failed_at: datetime


class SupervisionProjector:
    """Keeps notices, warnings, filings, rebounds and spot-check selections."""

    name = "supervision"
    version = 3
    indexes: Sequence[Index] = ()

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE {tx.table('notices')} (position INTEGER PRIMARY KEY,"
                   " unit TEXT NOT NULL, problem_id TEXT NOT NULL, notice TEXT NOT NULL,"
                   " number INTEGER NOT NULL, reason TEXT NOT NULL, due TEXT,"
                   " issued_at TEXT NOT NULL, issued_by TEXT NOT NULL, responded_at TEXT,"
                   " response TEXT, overdue INTEGER NOT NULL DEFAULT 0, triggers TEXT NOT NULL,"
                   " broadcast TEXT NOT NULL, response_required INTEGER NOT NULL,"
                   " read_at TEXT, read_by TEXT,"
                   " UNIQUE (unit, problem_id, notice, number))")
        tx.execute(f"CREATE TABLE {tx.table('warnings')} (position INTEGER PRIMARY KEY,"
                   " problem_id TEXT NOT NULL, unit TEXT NOT NULL, level TEXT NOT NULL,"
                   " watched TEXT NOT NULL, due TEXT NOT NULL, milestone INTEGER,"
                   " working_days_left INTEGER NOT NULL, raised_at TEXT NOT NULL)")
        tx.execute(f"CREATE TABLE {tx.table('filings')} (unit TEXT NOT NULL,"
                   " filing TEXT NOT NULL, due TEXT, overdue_since TEXT, submitted_at TEXT,"
                   " filed_by TEXT, PRIMARY KEY (unit, filing))")
        tx.execute(f"CREATE TABLE {tx.table('rebounds')} (position INTEGER PRIMARY KEY,"
                   " problem_id TEXT NOT NULL, unit TEXT NOT NULL, closed_problem TEXT NOT NULL,"
                   " closed_on TEXT NOT NULL, days_since_closed INTEGER NOT NULL,"
                   " raised_at TEXT NOT NULL)")
        tx.execute(f"CREATE TABLE {tx.table('spot_checks')} (position INTEGER PRIMARY KEY,"
                   " unit TEXT NOT NULL, reason TEXT NOT NULL, selected_at TEXT NOT NULL,"
                   " selected_by TEXT NOT NULL)")
        tx.execute(f"CREATE TABLE {tx.table('undelivered')} (problem_id TEXT PRIMARY KEY,"
                   " position INTEGER NOT NULL, unit TEXT NOT NULL, code TEXT NOT NULL,"
                   " reason TEXT NOT NULL, reason_en TEXT NOT NULL, failed_at TEXT NOT NULL)")

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        writes = _Writes(tx)
        for recorded in batch:
            _apply(writes, recorded.position, recorded.event, recorded.at)
        writes.flush()


class _Writes:
    """A batch's inserts, kept and written one ``executemany`` per statement; any other
    statement writes them first, so it sees every row inserted before it."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.inserts: dict[str, list[tuple[SqlValue, ...]]] = {}
        self.numbers: dict[tuple[str, str, Notice], int] = {}

    def insert(self, sql: str, row: tuple[SqlValue, ...]) -> None:
        self.inserts.setdefault(sql, []).append(row)

    def execute(self, sql: str, params: tuple[SqlValue, ...]) -> None:
        self.flush()
        self.tx.execute(sql, params)

    def flush(self) -> None:
        for sql, rows in self.inserts.items():
            self.tx.executemany(sql, rows)
        self.inserts.clear()

    def number(self, event: NoticeIssued) -> int:
        """The notice's number, as the aggregate numbers it (orders recorded on a problem
        before orders were numbered carry none: their place among the problem's orders)."""
        key = (event.unit, str(event.problem_id or ""), event.notice)
        if event.number is not None:
            self.numbers[key] = event.number
            return event.number
        if key not in self.numbers:
            self.flush()
            self.numbers[key] = _count(self.tx, *key)
        self.numbers[key] += 1
        return self.numbers[key]


def _apply(writes: _Writes, position: int, event: RecordedEvent, at: str) -> None:
    tx = writes.tx
    match event:
        case NoticeIssued():
            _issue(writes, position, event, writes.number(event), at)
        case NoticeRead():
            _mark(writes, event, "read_at = ?, read_by = ?", (at, event.actor))
        case NoticeResponded():
            _mark(writes, event, "responded_at = ?, response = ?", (at, event.response))
        case ResponseOverdue():
            _mark(writes, event, "overdue = 1", ())
        case DeadlineWarningRaised():
            writes.insert(f"INSERT INTO {tx.table('warnings')} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (position, str(event.problem_id), event.unit, event.level.value,
                           event.watched.value, event.due.isoformat(), event.milestone,
                           event.working_days_left, at))
        case FilingOverdue():
            _file(writes, event.unit, event.filing, ("due", "overdue_since"),
                  (event.due.isoformat(), at))
        case FilingSubmitted():
            _file(writes, event.unit, event.filing, ("submitted_at", "filed_by"),
                  (at, event.filed_by))
        case ReboundSuspected():
            writes.insert(f"INSERT INTO {tx.table('rebounds')} VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (position, str(event.problem_id), event.unit,
                           str(event.closed_problem), event.closed_on.isoformat(),
                           event.days_since_closed, at))
        case AnswerDeliveryFailed():
            writes.insert(f"INSERT INTO {tx.table('undelivered')} VALUES (?, ?, ?, ?, ?, ?, ?)"
                          " ON CONFLICT (problem_id) DO UPDATE SET position = excluded.position,"
                          " code = excluded.code, reason = excluded.reason,"
                          " reason_en = excluded.reason_en, failed_at = excluded.failed_at",
                          (str(event.problem_id), position, event.unit, event.code,
                           event.reason, event.reason_en, at))
        case AnswerDelivered():
            writes.execute(f"DELETE FROM {tx.table('undelivered')} WHERE problem_id = ?",
                           (str(event.problem_id),))
        case SpotCheckSelected():
            writes.insert(f"INSERT INTO {tx.table('spot_checks')} VALUES (?, ?, ?, ?, ?)",
                          (position, event.unit, event.reason, at, event.actor))


def _count(tx: Tx, unit: str, problem_id: str, notice: Notice) -> int:
    return int(tx.query(f"SELECT COUNT(*) FROM {tx.table('notices')} WHERE unit = ?"
                        " AND problem_id = ? AND notice = ?",
                        (unit, problem_id, notice.value))[0][0])


def _issue(writes: _Writes, position: int, event: NoticeIssued, number: int, at: str) -> None:
    writes.insert(f"INSERT INTO {writes.tx.table('notices')} (position, unit, problem_id,"
                  " notice, number, reason, due, issued_at, issued_by, triggers, broadcast,"
                  " response_required) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (position, event.unit, str(event.problem_id or ""), event.notice.value, number,
                   event.reason, event.due.isoformat() if event.due else None, at, event.actor,
                   ",".join(t.value for t in event.triggers), str(event.broadcast or ""),
                   int(event.response_required)))


def _mark(writes: _Writes, event: NoticeRead | NoticeResponded | ResponseOverdue,
          assignments: str, values: tuple[SqlValue, ...]) -> None:
    writes.execute(f"UPDATE {writes.tx.table('notices')} SET {assignments} WHERE unit = ?"
                   " AND problem_id = ? AND notice = ? AND number = ?",
                   (*values, event.unit, str(event.problem_id or ""), event.notice.value,
                    event.number))


def _file(writes: _Writes, unit: str, filing: Filing, columns: tuple[str, str],
          values: tuple[SqlValue, SqlValue]) -> None:
    """Overdue and submitted set different columns, so they are queued like inserts: the
    order in which they reach the row does not matter."""
    first, second = columns
    writes.insert(f"INSERT INTO {writes.tx.table('filings')} (unit, filing, {first}, {second})"
                  f" VALUES (?, ?, ?, ?) ON CONFLICT (unit, filing) DO UPDATE SET"
                  f" {first} = excluded.{first}, {second} = excluded.{second}",
                  (unit, filing.value, *values))


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def read_notices(store: ReadStore, unit: str | None = None) -> list[NoticeLine]:
    """Every order and circular (of ``unit`` only, if given), in the order issued."""
    with store.read() as tx:
        if not tx.exists("notices"):
            return []
        where, params = ("WHERE unit = ?", (unit,)) if unit is not None else ("", ())
        rows = tx.query(f"SELECT {_NOTICE_FIELDS} FROM {tx.table('notices')} {where}"
                        " ORDER BY position", params)
    return [NoticeLine(row_unit, problem_id, Notice(notice), int(number), reason, _day(due),
                       datetime.fromisoformat(issued_at), issued_by, _moment(responded_at),
                       response or "", bool(overdue),
                       tuple(Trigger(t) for t in triggers.split(",") if t), broadcast,
                       bool(required), _moment(read_at), read_by or "")
            for row_unit, problem_id, notice, number, reason, due, issued_at, issued_by,
            responded_at, response, overdue, triggers, broadcast, required, read_at, read_by
            in rows]


def read_warnings(store: ReadStore) -> list[WarningLine]:
    """Every deadline warning, in the order raised."""
    with store.read() as tx:
        if not tx.exists("warnings"):
            return []
        rows = tx.query(f"SELECT problem_id, unit, level, watched, due, milestone,"
                        f" working_days_left, raised_at FROM {tx.table('warnings')}"
                        " ORDER BY position")
    return [WarningLine(problem_id, unit, WarningLevel(level), Watched(watched),
                        date.fromisoformat(due), milestone, int(left),
                        datetime.fromisoformat(raised_at))
            for problem_id, unit, level, watched, due, milestone, left, raised_at in rows]


def read_filings(store: ReadStore) -> list[FilingLine]:
    with store.read() as tx:
        if not tx.exists("filings"):
            return []
        rows = tx.query(f"SELECT unit, filing, due, overdue_since, submitted_at, filed_by"
                        f" FROM {tx.table('filings')} ORDER BY unit, filing")
    return [FilingLine(unit, Filing(filing), _day(due), _moment(overdue_since),
                       _moment(submitted_at), filed_by or "")
            for unit, filing, due, overdue_since, submitted_at, filed_by in rows]


def read_rebounds(store: ReadStore) -> list[ReboundLine]:
    with store.read() as tx:
        if not tx.exists("rebounds"):
            return []
        rows = tx.query(f"SELECT problem_id, unit, closed_problem, closed_on,"
                        f" days_since_closed, raised_at FROM {tx.table('rebounds')}"
                        " ORDER BY position")
    return [ReboundLine(problem_id, unit, closed, date.fromisoformat(closed_on), int(days),
                        datetime.fromisoformat(raised_at))
            for problem_id, unit, closed, closed_on, days, raised_at in rows]


def selected_units(store: ReadStore) -> set[str]:
    """The units chosen for a spot check so far."""
    with store.read() as tx:
        if not tx.exists("spot_checks"):
            return set()
        return {str(unit) for (unit,) in tx.query(
            f"SELECT DISTINCT unit FROM {tx.table('spot_checks')}")}


def read_undelivered(store: ReadStore) -> list[UndeliveredAnswer]:
    """Answers that did not reach their reporter and have not been delivered since, oldest first."""
    with store.read() as tx:
        if not tx.exists("undelivered"):
            return []
        rows = tx.query(f"SELECT problem_id, unit, code, reason, reason_en, failed_at FROM"
                        f" {tx.table('undelivered')} ORDER BY position")
    return [UndeliveredAnswer(problem_id, unit, code, reason, reason_en,
                              datetime.fromisoformat(failed_at))
            for problem_id, unit, code, reason, reason_en, failed_at in rows]
