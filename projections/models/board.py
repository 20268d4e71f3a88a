"""The supervision board (督办看板): what needs the section's attention on a given day.

Problems being rectified by colour: red, past the deadline (most overdue first); yellow, the
latest warning says a milestone is behind; blue, the latest warning says the deadline (as it
stands) is near. Then reports that nobody has assigned for more than a number of days, public
reports still without an answer (oldest first: 件件有回音), those past the campaign's answer
time limit, reporters dissatisfied with an outcome not yet acted on, once the rectification
phase is over the open problems without a roadmap, answers their channel refused,
orders and circulars awaiting a
response (on problems and on units), circulars to all units with who has read them and who
still owes a response, ledgers and reports filed late or not at all, suspected
rebounds not yet decided, deadline-extension requests waiting for a unit leader's decision,
what each unit reported (for the spot-check list), and the orders it proposes (督办建议,
``proposals``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from events.status import DEADLINE_RUNS, is_overdue
from events.vocabulary import Channel, Filing, Notice, Plan, ProblemStatus, WarningLevel
from projections.engine.store import ReadStore
from projections.models.broadcasts import BroadcastLine, gather
from projections.models.extensions import ExtensionRequest, read_extension_requests
from projections.models.facts import local_date
from projections.models.proposals import (
    SEND_BACKS,
    OrderProposal,
    UnitLedgerDepth,
    filing_detail,
    shallow,
    without_open_orders,
)
from projections.models.supervision import (
    FilingLine,
    NoticeLine,
    ReboundLine,
    UndeliveredAnswer,
    WarningLine,
    read_filings,
    read_notices,
    read_rebounds,
    read_undelivered,
    read_warnings,
    selected_units,
)

UNASSIGNED_DAYS = 5
"""How long a report may wait for its four determinations before the board shows it."""
_WAITING_FOR_ASSIGNMENT = frozenset({ProblemStatus.REPORTED, ProblemStatus.TRIAGED})
_SET_ASIDE = frozenset({ProblemStatus.DECLINED, ProblemStatus.DUPLICATE})
_STILL_OPEN = frozenset({ProblemStatus.REPORTED, ProblemStatus.TRIAGED, ProblemStatus.RECTIFYING,
                         ProblemStatus.FIX_SUBMITTED})


@dataclass(frozen=True)
class BoardItem:
    """One problem on the board, and since when (and for how many days) it has been waiting."""

    problem_id: str
    unit: str
    problem: str
    status: ProblemStatus
    channel: Channel
    since: date
    days: int
    leader: str
    department: str


@dataclass(frozen=True)
class UnitReportCount:
    """What one unit found itself (自查、走访企业、座谈会) and what the public reported about it."""

    unit: str
    self_inspection: int
    public: int
    selected: bool


@dataclass(frozen=True)
class Board:
    today: date
    overdue: tuple[BoardItem, ...]
    behind: tuple[BoardItem, ...]
    approaching: tuple[BoardItem, ...]
    unassigned: tuple[BoardItem, ...]
    unanswered: tuple[BoardItem, ...]
    answers_late: tuple[BoardItem, ...]
    """Unanswered past the answer time limit; ``since`` is the last day to answer."""
    dissatisfied: tuple[BoardItem, ...]
    """不满意 with the outcome, and not reopened since: for the section to decide."""
    typical_stalled: tuple[BoardItem, ...]
    """典型案件 still open with nothing done for ``typical_stall_days``: proposed for 督办;
    ``since`` is the day of the last action."""
    without_roadmap: tuple[BoardItem, ...]
    """After the rectification phase: problems still open and not on a roadmap (时间表、路线图);
    ``since`` is the phase's last day."""
    open_notices: tuple[NoticeLine, ...]
    circulars: tuple[BroadcastLine, ...]
    """通报全体单位: each circular to all units, who has read it, who still owes a response."""
    late_filings: tuple[FilingLine, ...]
    rebounds: tuple[ReboundLine, ...]
    undelivered: tuple[UndeliveredAnswer, ...]
    reports: tuple[UnitReportCount, ...]
    proposals: tuple[OrderProposal, ...] = ()
    """督办建议: orders proposed, each naming the notice's trigger (see ``proposals``)."""
    extensions: tuple[ExtensionRequest, ...] = ()
    """申请延期 still waiting for the unit leader's decision, oldest first."""


def _waiting_since(item: BoardItem, since: date, today: date) -> BoardItem:
    return replace(item, since=since, days=(today - since).days)


def read_board(store: ReadStore, today: date, unassigned_days: int = UNASSIGNED_DAYS,
               answer_due: Callable[[date], date] | None = None,
               rectification_end: date | None = None,
               typical_stall_days: int | None = None) -> Board:
    """The board for ``today``; ``answer_due`` gives the last day to answer a report filed on
    a day (the campaign's answer time limit), or None to leave that out; once
    ``rectification_end`` has passed, open problems without a roadmap are listed; typical cases
    nobody acted on for ``typical_stall_days`` are proposed for a supervision order."""
    with store.read() as tx:
        rows = tx.query(f"SELECT problem_id, unit, problem, status, channel, leader, department,"
                        f" reported_at, deadline, answered_at, answerable, dissatisfied_open, plan,"
                        f" typical, last_activity_at, sent_back, cause"
                        f" FROM {tx.table('problems')}"
                        " ORDER BY position") if tx.exists("problems") else []
    colours = _latest_warnings(read_warnings(store))
    overdue, behind, approaching, unassigned, unanswered = [], [], [], [], []
    late_answers, dissatisfied, without_roadmap, stalled = [], [], [], []
    phase_ended = rectification_end if rectification_end and today > rectification_end else None
    statuses: dict[str, ProblemStatus] = {}
    counts: dict[str, list[int]] = {}
    depth: dict[str, list[int]] = {}
    proposals: list[OrderProposal] = []
    for problem_id, unit, text, status, channel, leader, department, reported_at, deadline, \
            answered_at, answerable, dissatisfied_open, plan, typical, last_activity_at, \
            sent_back, cause in rows:
        state, source = ProblemStatus(status), Channel(channel)
        reported_on = local_date(datetime.fromisoformat(reported_at))
        due = date.fromisoformat(deadline) if deadline else None
        item = BoardItem(problem_id, unit, text, state, source, reported_on, 0, leader or "",
                         department or "")
        statuses[problem_id] = state
        tally = counts.setdefault(unit, [0, 0])
        tally[0] += source.is_units_own
        tally[1] += source.is_public
        warning = colours.get(problem_id)
        if due is not None and is_overdue(state, due, today):
            overdue.append(_waiting_since(item, due, today))
        elif warning is not None and state in DEADLINE_RUNS:
            if warning.level is WarningLevel.YELLOW:
                behind.append(_waiting_since(item, warning.due, today))
            elif warning.level is WarningLevel.BLUE and warning.due == due:
                approaching.append(_waiting_since(item, warning.due, today))
        if state in _WAITING_FOR_ASSIGNMENT and (today - reported_on).days > unassigned_days:
            unassigned.append(_waiting_since(item, reported_on, today))
        if answerable and answered_at is None:
            unanswered.append(_waiting_since(item, reported_on, today))
            if answer_due is not None and (due_on := answer_due(reported_on)) < today:
                late_answers.append(_waiting_since(item, due_on, today))
        if dissatisfied_open:
            dissatisfied.append(item)
        last_acted = local_date(datetime.fromisoformat(last_activity_at or reported_at))
        if typical and typical_stall_days is not None and state in _STILL_OPEN \
                and (today - last_acted).days > typical_stall_days:
            stalled.append(_waiting_since(item, last_acted, today))
        if phase_ended and state in _STILL_OPEN and plan != Plan.ROADMAP.value:
            without_roadmap.append(_waiting_since(item, phase_ended, today))
        if state not in _SET_ASIDE:
            held = depth.setdefault(unit, [0, 0, 0])
            held[0], held[1], held[2] = held[0] + 1, held[1] + bool(typical), held[2] + bool(cause)
        if int(sent_back or 0) >= SEND_BACKS and state in _STILL_OPEN:
            proposals.append(OrderProposal("sent_back", unit, problem_id,
                                           f"{text}（已退回 {sent_back} 次）",
                                           f"{text} (sent back {sent_back} times)"))
    all_notices = read_notices(store)
    notices = sorted((n for n in all_notices if n.owing),
                     key=lambda n: (n.due or date.max, n.issued_at))
    late = [f for f in read_filings(store) if f.overdue_since and f.submitted_at is None]
    pending = [r for r in read_rebounds(store)
               if statuses.get(r.closed_problem) is ProblemStatus.CLOSED
               and statuses.get(r.problem_id) not in _SET_ASIDE]
    filed = {f.unit for f in read_filings(store)
             if f.filing is Filing.LEDGER and f.submitted_at is not None}
    proposals += _proposed(overdue, stalled, late, filed, depth)
    ordered = {(n.unit, n.problem_id) for n in all_notices
               if n.notice is Notice.ORDER and n.owing}
    chosen = selected_units(store)
    reports = [UnitReportCount(unit, own, public, unit in chosen)
               for unit, (own, public) in counts.items()]
    reports += [UnitReportCount(unit, 0, 0, True) for unit in sorted(chosen - counts.keys())]
    return Board(today, _by_day(overdue), _by_day(behind), _by_day(approaching),
                 _by_day(unassigned), _by_day(unanswered), _by_day(late_answers),
                 tuple(dissatisfied), _by_day(stalled), tuple(without_roadmap), tuple(notices),
                 tuple(gather(all_notices)), tuple(late),
                 tuple(pending), tuple(read_undelivered(store)), tuple(reports),
                 tuple(without_open_orders(proposals, ordered)),
                 tuple(read_extension_requests(store, pending_only=True)))


def _proposed(overdue: list[BoardItem], stalled: list[BoardItem], late: list[FilingLine],
              filed: set[str], depth: dict[str, list[int]]) -> list[OrderProposal]:
    """督办建议 from red warnings, late filings, shallow filed ledgers and stalled typical cases
    (repeated send-backs are found row by row)."""
    proposed = [OrderProposal("red_warning", i.unit, i.problem_id,
                              f"{i.problem}（超期 {i.days} 天）",
                              f"{i.problem} ({i.days} days overdue)") for i in overdue]
    proposed += [OrderProposal("late_filing", f.unit, "", *filing_detail(
        f.filing, f.due.isoformat() if f.due else "")) for f in late]
    for unit in sorted(filed):
        problems, typical, causes = depth.get(unit, [0, 0, 0])
        if shallow(UnitLedgerDepth(unit, problems, typical, causes)):
            proposed.append(OrderProposal("shallow_ledger", unit, "",
                                          f"台账仅列问题 {problems} 个",
                                          f"the ledger lists {problems} problems"))
    proposed += [OrderProposal("typical_stalled", i.unit, i.problem_id,
                               f"{i.problem}（{i.days} 天无进展）",
                               f"{i.problem} (nothing done for {i.days} days)") for i in stalled]
    return proposed


def _by_day(items: list[BoardItem]) -> tuple[BoardItem, ...]:
    return tuple(sorted(items, key=lambda i: i.since))


def _latest_warnings(warnings: list[WarningLine]) -> dict[str, WarningLine]:
    """Each problem's latest blue or yellow warning (red is worked out for the day itself)."""
    latest: dict[str, WarningLine] = {}
    for warning in warnings:  # in the order raised
        if warning.level is not WarningLevel.RED:
            latest[warning.problem_id] = warning
    return latest
