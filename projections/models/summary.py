"""The campaign summary (总结): per unit and for the whole campaign, as of a day.

Counts by category and channel; problems to rectify (all but declined reports and duplicates),
closed, closed on time (on or before the deadline as extended), overdue on the day, reopened
(at least once); orders and circulars, on the unit's problems and to the unit itself; public
reports and how many were answered; the reporters' latest satisfaction; the mean days a
problem spent in each status, over the problems that have left that status (a stay still
going on is not counted: see ``stages``). And what the 18 April report is about (认识到位、剖析
到位、整改到位): the causes found, by category; the typical cases with where they stand; the
mechanisms adopted (建章立制); what came back (suspected rebounds); and the plans (整改方案、
工作方案) as last revised.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean

from events.status import is_overdue
from events.vocabulary import (
    Category,
    Channel,
    Notice,
    ProblemStatus,
    Satisfaction,
    TypicalReason,
)
from projections.engine.store import ReadStore
from projections.models.mechanisms import MechanismLine, read_mechanisms
from projections.models.plans import PlanLine, read_plans
from projections.models.stages import read_stage_times
from projections.models.stats import NOT_TO_RECTIFY, closed_on_time
from projections.models.supervision import read_notices

SECONDS_PER_DAY = 86_400
STAGES = (ProblemStatus.REPORTED, ProblemStatus.TRIAGED, ProblemStatus.RECTIFYING,
          ProblemStatus.FIX_SUBMITTED, ProblemStatus.VERIFIED)
"""The statuses a problem passes through on its way to 销号, in order."""


@dataclass(frozen=True)
class CauseCount:
    """How many problems of one category were traced to one cause (剖析原因)."""

    category: Category
    cause: str
    count: int


@dataclass(frozen=True)
class TypicalCase:
    """A typical case (典型案例), why it is typical, and where it stands."""

    problem_id: str
    unit: str
    problem: str
    reasons: tuple[TypicalReason, ...]
    status: ProblemStatus


@dataclass(frozen=True)
class UnitSummary:
    """One unit's figures (``unit`` is empty for the whole campaign)."""

    unit: str
    reported: int = 0
    by_category: dict[Category, int] = field(default_factory=dict)
    """Every one of the 13 categories, in the notice's order, zeros included."""
    by_channel: dict[Channel, int] = field(default_factory=dict)
    """Every channel, zeros included."""
    to_rectify: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    reopened: int = 0
    orders: int = 0
    circulars: int = 0
    public_reports: int = 0
    answered: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    """回访: each problem's reporter's latest satisfaction (满意 / 基本满意 / 不满意)."""
    rebounds: int = 0
    """Problems reported again soon after a like one was closed (疑似反弹)."""
    stage_days: dict[ProblemStatus, float] = field(default_factory=dict)
    """Mean days in each status, over the problems that have left it; absent if none has."""
    causes: tuple[CauseCount, ...] = ()
    """By category in the notice's order, then the most frequent cause first."""
    typical_cases: tuple[TypicalCase, ...] = ()
    mechanisms: tuple[MechanismLine, ...] = ()
    plans: tuple[PlanLine, ...] = ()
    """整改方案 and 工作方案, as last revised."""


@dataclass(frozen=True)
class Summary:
    today: date
    units: tuple[UnitSummary, ...]
    campaign: UnitSummary | None
    """The whole campaign's figures; None when the summary is of one unit."""


@dataclass
class _Tally:
    reported: int = 0
    categories: Counter[Category] = field(default_factory=Counter)
    channels: Counter[Channel] = field(default_factory=Counter)
    to_rectify: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    reopened: int = 0
    notices: Counter[Notice] = field(default_factory=Counter)
    public: int = 0
    answered: int = 0
    satisfaction: Counter[Satisfaction] = field(default_factory=Counter)
    rebounds: int = 0
    causes: Counter[tuple[Category, str]] = field(default_factory=Counter)
    typical: list[TypicalCase] = field(default_factory=list)
    mechanisms: list[MechanismLine] = field(default_factory=list)
    plans: list[PlanLine] = field(default_factory=list)
    stays: dict[ProblemStatus, list[int]] = field(default_factory=lambda: defaultdict(list))

    def summary(self, unit: str) -> UnitSummary:
        stage_days = {s: round(fmean(self.stays[s]) / SECONDS_PER_DAY, 2)
                      for s in STAGES if self.stays.get(s)}
        return UnitSummary(
            unit, self.reported, {c: self.categories[c] for c in Category},
            {c: self.channels[c] for c in Channel}, self.to_rectify, self.closed,
            self.closed_on_time, self.overdue, self.reopened, self.notices[Notice.ORDER],
            self.notices[Notice.CIRCULAR], self.public, self.answered,
            satisfied=self.satisfaction[Satisfaction.SATISFIED],
            basically_satisfied=self.satisfaction[Satisfaction.BASICALLY_SATISFIED],
            dissatisfied=self.satisfaction[Satisfaction.DISSATISFIED], rebounds=self.rebounds,
            stage_days=stage_days, causes=self._causes(), typical_cases=tuple(self.typical),
            mechanisms=tuple(self.mechanisms), plans=tuple(self.plans))

    def _causes(self) -> tuple[CauseCount, ...]:
        order = {c: n for n, c in enumerate(Category)}
        return tuple(CauseCount(category, cause, n) for (category, cause), n in sorted(
            self.causes.items(), key=lambda item: (order[item[0][0]], -item[1], item[0][1])))


def read_summary(store: ReadStore, today: date, unit: str | None = None) -> Summary:
    """The summary as of ``today``: every unit (in order of first report), or only ``unit``."""
    with store.read() as tx:
        rows = tx.query(f"SELECT problem_id, unit, category, channel, status, deadline,"
                        f" closed_at, answered_at, reopened, satisfaction, cause, typical,"
                        f" typical_reasons, rebound, problem"
                        f" FROM {tx.table('problems')}"
                        " ORDER BY position") if tx.exists("problems") else []
    tallies: dict[str, _Tally] = {}
    total = _Tally()
    unit_of: dict[str, str] = {}
    for problem_id, owner, category, channel, status, deadline, closed_at, answered_at, \
            reopened, satisfaction, cause, typical, typical_reasons, rebound, text in rows:
        unit_of[problem_id] = owner
        state, source = ProblemStatus(status), Channel(channel)
        due = date.fromisoformat(deadline) if deadline else None
        closed = state is ProblemStatus.CLOSED
        for tally in (tallies.setdefault(owner, _Tally()), total):
            tally.reported += 1
            tally.categories[Category(category)] += 1
            tally.channels[source] += 1
            tally.to_rectify += state not in NOT_TO_RECTIFY
            tally.closed += closed
            tally.closed_on_time += closed and closed_on_time(closed_at, due)
            tally.overdue += is_overdue(state, due, today)
            tally.reopened += int(reopened) > 0
            tally.public += source.is_public
            tally.answered += source.is_public and answered_at is not None
            if satisfaction:
                tally.satisfaction[Satisfaction(satisfaction)] += 1
            tally.rebounds += int(rebound)
            if cause:
                tally.causes[Category(category), cause] += 1
            if typical:
                tally.typical.append(TypicalCase(problem_id, owner, text, tuple(
                    TypicalReason(r) for r in (typical_reasons or "").split(",") if r), state))
    broadcasts: set[str] = set()
    for notice in read_notices(store):
        if notice.broadcast:  # a circular to all units: once in all, no unit's own
            if notice.broadcast not in broadcasts:
                broadcasts.add(notice.broadcast)
                total.notices[notice.notice] += 1
            continue
        for tally in (tallies.setdefault(notice.unit, _Tally()), total):
            tally.notices[notice.notice] += 1
    for plan in read_plans(store):
        for tally in (tallies.setdefault(plan.unit, _Tally()), total):
            tally.plans.append(plan)
    for mechanism in read_mechanisms(store):
        for tally in (tallies.setdefault(mechanism.unit, _Tally()), total):
            tally.mechanisms.append(mechanism)
    for stay in read_stage_times(store):
        if stay.problem_id in unit_of:
            for tally in (tallies[unit_of[stay.problem_id]], total):
                tally.stays[stay.status].append(stay.seconds)
    if unit is not None:
        return Summary(today, (tallies[unit].summary(unit),) if unit in tallies else (), None)
    return Summary(today, tuple(t.summary(name) for name, t in tallies.items()),
                   total.summary(""))
