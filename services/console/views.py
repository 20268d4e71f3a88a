"""What the console's pages show, read from the read models (the CLI's own readers where they
exist): lists of problems by unit and status, a problem's whole record, the board's colours."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events.lifecycle import (
    FixSubmitted,
    ProblemReported,
    ProposalReturned,
    RectificationAssigned,
    RectificationProposed,
)
from events.vocabulary import Category, Channel, Filing, Plan, ProblemStatus
from projections.engine.store import ReadStore
from projections.models.board import read_board
from projections.models.broadcasts import BroadcastLine, read_broadcasts
from projections.models.facts import CHINA_TIME, local_date
from projections.models.supervision import NoticeLine, read_filings, read_notices
from projections.models.timeline import TimelineEntry, problem_timeline
from services.cli.describe import row as described
from services.console.evidence import Evidence
from services.reporters.tracking import formatted, normalize, tracking_number

Lang = Any  # "zh" or "en", as the describers take it


@dataclass(frozen=True)
class ProblemLine:
    problem_id: str
    unit: str
    category: Category
    channel: Channel
    status: ProblemStatus
    problem: str
    reported_on: date
    deadline: date | None
    leader: str
    department: str
    answered: bool
    colour: str = ""
    """The board's colour: red (overdue), yellow (behind a milestone), blue (deadline near)."""
    tracking: str = ""
    reporter: str = ""


_DONE = frozenset({ProblemStatus.CLOSED, ProblemStatus.DECLINED, ProblemStatus.DUPLICATE})
"""Listed after the problems still open."""


def colours(store: ReadStore, today: date) -> dict[str, str]:
    board = read_board(store, today)
    found = {i.problem_id: "blue" for i in board.approaching}
    found.update({i.problem_id: "yellow" for i in board.behind})
    found.update({i.problem_id: "red" for i in board.overdue})
    return found


def problem_lines(
    store: ReadStore,
    today: date,
    units: set[str] | None = None,
    statuses: set[ProblemStatus] | None = None,
) -> list[ProblemLine]:
    """Problems of ``units`` (None: all) in ``statuses`` (None: any), soonest deadline first."""
    with store.read() as tx:
        if not tx.exists("problems"):
            return []
        rows = tx.query(
            f"SELECT problem_id, unit, category, channel, status, problem,"
            f" reported_at, deadline, leader, department, answered_at"
            f" FROM {tx.table('problems')} ORDER BY position"
        )
    painted = colours(store, today)
    lines = []
    for (
        pid,
        unit,
        category,
        channel,
        status,
        text,
        reported_at,
        deadline,
        leader,
        department,
        answered_at,
    ) in rows:
        if units is not None and unit not in units:
            continue
        if statuses is not None and ProblemStatus(status) not in statuses:
            continue
        lines.append(
            ProblemLine(
                str(pid),
                str(unit),
                Category(category),
                Channel(channel),
                ProblemStatus(status),
                str(text),
                local_date(datetime.fromisoformat(str(reported_at))),
                date.fromisoformat(str(deadline)) if deadline else None,
                str(leader or ""),
                str(department or ""),
                answered_at is not None,
                painted.get(str(pid), ""),
            )
        )
    return sorted(lines, key=lambda p: (p.status in _DONE, p.deadline or date.max,
                                        p.reported_on))


def with_intake(
    store: ReadStore, lines: list[ProblemLine], tracking_key: bytes
) -> list[ProblemLine]:
    """The lines with their tracking number and masked reporter (public channels only)."""
    shown = []
    for line in lines:
        if line.channel.is_public:
            entries = problem_timeline(store, line.problem_id)
            first = entries[0].event if entries else None
            reporter = masked_reporter(first) if isinstance(first, ProblemReported) else ""
            line = replace(
                line,
                tracking=tracking_number(tracking_key, UUID(line.problem_id)),
                reporter=reporter,
            )
        shown.append(line)
    return shown


def open_notices(store: ReadStore, units: set[str]) -> list[NoticeLine]:
    """Orders and circulars on the units' problems still waiting for an answer."""
    return [n for unit in sorted(units) for n in read_notices(store, unit)
            if n.owing and n.problem_id]


def notice_list(store: ReadStore, units: set[str] | None) -> list[NoticeLine]:
    """Every order and circular to the units (None: to every unit), latest first."""
    return [n for n in reversed(read_notices(store)) if units is None or n.unit in units]


def broadcast_list(store: ReadStore) -> list[BroadcastLine]:
    """Every circular to all units, latest first, with who has read it and who owes a response."""
    return list(reversed(read_broadcasts(store)))


def open_unit_notices(store: ReadStore, units: set[str]) -> list[NoticeLine]:
    """Orders and circulars to the units as a whole still waiting for an answer or a read."""
    return [n for unit in sorted(units) for n in read_notices(store, unit)
            if not n.problem_id and (n.owing or (not n.response_required and n.read_at is None))]


def unit_of(store: ReadStore, problem_id: str) -> str | None:
    with store.read() as tx:
        if not tx.exists("problems"):
            return None
        rows = tx.query(
            f"SELECT unit FROM {tx.table('problems')} WHERE problem_id = ?", (problem_id,)
        )
    return str(rows[0][0]) if rows else None


@dataclass(frozen=True)
class Step:
    """One line of the timeline: 时间, 操作, 操作人, 方式, 渠道, 内容, and its stream position."""

    cells: list[str]
    position: int
    version: int
    evidence: tuple[Evidence, ...] = ()


@dataclass
class ProblemRecord:
    line: ProblemLine
    version: int
    case: str
    enterprise: str
    tracking: str | None
    reporter: str
    steps: list[Step] = field(default_factory=list)
    measures: str = ""
    immediate: bool = False
    milestones: list[tuple[date, str]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    notices: list[NoticeLine] = field(default_factory=list)
    """Orders and circulars on this problem, in the order issued."""
    proposal: RectificationProposed | None = None
    """The unit's four determinations waiting for the office (None: none waiting)."""
    returned: str | None = None
    """Why the office sent the unit's last proposal back (None: it did not)."""


def masked_reporter(event: ProblemReported) -> str:
    reporter = event.reporter
    if reporter is None:
        return ""
    parts = [reporter.masked_name, reporter.masked_phone, reporter.masked_email]
    shown = [p for p in parts if p]
    if not shown and (reporter.name or reporter.phone):
        shown = [_mask(reporter.name or ""), _mask(reporter.phone or "")]
    return " ".join(p for p in shown if p)


def _mask(text: str) -> str:
    if len(text) <= 1:
        return text
    if text.isdigit() and len(text) >= 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return text[0] + "*" * (len(text) - 1)


def problem_record(
    store: ReadStore, today: date, problem_id: str, tracking_key: bytes, lang: Lang
) -> ProblemRecord | None:
    lines = [p for p in problem_lines(store, today) if p.problem_id == problem_id]
    entries = problem_timeline(store, problem_id)
    if not lines or not entries:
        return None
    line, first = lines[0], entries[0].event
    assert isinstance(first, ProblemReported)
    record = ProblemRecord(
        line,
        entries[-1].version,
        first.case,
        first.enterprise or "",
        tracking_number(tracking_key, UUID(problem_id)) if first.channel.is_public else None,
        masked_reporter(first),
    )
    record.notices = [n for n in read_notices(store, line.unit) if n.problem_id == problem_id]
    for entry in entries:
        record.steps.append(_step(entry, lang))
        event = entry.event
        if isinstance(event, RectificationAssigned):
            record.measures, record.immediate = event.measures, event.plan is Plan.IMMEDIATE
            record.milestones = [(m.due, m.description) for m in event.milestones]
            record.proposal = None
        elif isinstance(event, RectificationProposed):
            record.proposal, record.returned = event, None
        elif isinstance(event, ProposalReturned):
            record.proposal, record.returned = None, event.reason
        elif isinstance(event, FixSubmitted):
            record.evidence.extend(e for e in record.steps[-1].evidence if e not in record.evidence)
    return record


def _step(entry: TimelineEntry, lang: Lang) -> Step:
    event = entry.event
    data = event.model_dump(mode="json")
    evidence: tuple[Evidence, ...] = ()
    if isinstance(event, FixSubmitted):
        evidence = tuple(e for ref in event.evidence if (e := Evidence.parse(ref)) is not None)
        data["evidence"] = [e.name if (e := Evidence.parse(r)) else r for r in event.evidence]
    cells = described(data, lang)
    cells[0] = event.occurred_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    return Step(cells, entry.position, entry.version, evidence)


def known_names(store: ReadStore) -> tuple[list[str], list[str]]:
    """Leaders and departments already on record, offered as choices in the assign form."""
    with store.read() as tx:
        if not tx.exists("problems"):
            return [], []
        table = tx.table("problems")
        leaders = tx.query(f"SELECT DISTINCT leader FROM {table} WHERE leader IS NOT NULL")
        departments = tx.query(
            f"SELECT DISTINCT department FROM {table} WHERE department IS NOT NULL")
    return sorted(str(r[0]) for r in leaders), sorted(str(r[0]) for r in departments)


def search(store: ReadStore, today: date, text: str, tracking_key: bytes,
           units: set[str] | None) -> list[ProblemLine]:
    """Problems matching a tracking number, a problem id (or its start), or words of the
    problem, unit, leader or department."""
    wanted = text.strip()
    code = normalize(wanted)
    found = []
    for line in problem_lines(store, today, units):
        if code is not None:
            if line.channel.is_public and tracking_number(
                    tracking_key, UUID(line.problem_id)) == formatted(code):
                found.append(line)
            continue
        haystack = " ".join((line.problem_id, line.problem, line.unit, line.leader,
                             line.department))
        if wanted and all(word in haystack for word in wanted.split()):
            found.append(line)
    return found


def latest_version(store: ReadStore, problem_id: str) -> int:
    entries = problem_timeline(store, problem_id)
    return entries[-1].version if entries else 0


@dataclass(frozen=True)
class Due:
    """One dated duty on the campaign calendar: a filing, or an answer to an order."""

    due: date | None
    unit: str
    what: str
    done_at: datetime | None
    late: bool
    problem_id: str = ""


def calendar(store: ReadStore, today: date, units: set[str] | None) -> list[Due]:
    """Filings and orders' answers due, by date; what was done and what is late."""
    duties = [Due(f.due, f.unit, f.filing.value, f.submitted_at,
                  f.submitted_at is None and f.due is not None and f.due < today)
              for f in read_filings(store) if units is None or f.unit in units]
    duties += [Due(n.due, n.unit, n.notice.value, n.responded_at,
                   n.responded_at is None and n.due is not None and n.due < today, n.problem_id)
               for n in read_notices(store) if n.due is not None and n.response_required
               and (units is None or n.unit in units)]
    return sorted(duties, key=lambda d: (d.due or date.max, d.unit))


def filed_at(store: ReadStore, unit: str, filing: Filing) -> datetime | None:
    """When the unit last sent this filing, as the read models know it."""
    return max((f.submitted_at for f in read_filings(store)
                if f.unit == unit and f.filing is filing and f.submitted_at), default=None)


def pending_proposals(store: ReadStore) -> set[str]:
    """Problems whose unit proposed the four determinations, waiting for the office."""
    with store.read() as tx:
        if not tx.exists("ledger_rows"):
            return set()
        rows = tx.query(f"SELECT problem_id FROM {tx.table('ledger_rows')}"
                        " WHERE proposal = 'pending'")
    return {str(r[0]) for r in rows}
