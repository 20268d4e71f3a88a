"""Which warnings are due today: pure decisions over an aggregate's state and the date.

The watchdog records what these return; each warning's id is derived from what it watches, its
due date and its level, and the aggregate refuses an id it already holds, so a warning is
recorded once however often the watchdog looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from events.identity import warning_id_for
from events.status import DEADLINE_RUNS, is_overdue
from events.vocabulary import Filing, WarningLevel, Watched
from services.casework.notices import Notices, OpenNotice
from services.casework.problem import Problem, Warning
from services.casework.unit import Unit
from services.supervision.campaign import Campaign
from services.supervision.workdays import CalendarNotCoveredError, working_days_between


@dataclass(frozen=True)
class OverdueNotice:
    warning_id: UUID
    notice: OpenNotice


@dataclass(frozen=True)
class OverdueFiling:
    warning_id: UUID
    filing: Filing
    due: date


def working_days_left(today: date, due: date) -> int:
    """Working days to ``due``; Monday to Friday for a year the holiday calendar lacks."""
    try:
        return working_days_between(today, due)
    except CalendarNotCoveredError:
        step = 1 if due >= today else -1
        days = (today + timedelta(days=n * step) for n in range(1, abs((due - today).days) + 1))
        return step * sum(1 for day in days if day.weekday() < 5)


def problem_warnings(problem: Problem, today: date, warning_days: int) -> list[Warning]:
    """Blue when the deadline is ``warning_days`` working days away or less, yellow for each
    milestone past its date and not done, red once the deadline has passed. Only the more
    serious of blue and red: a deadline first seen already missed gets no late blue."""
    if problem.status not in DEADLINE_RUNS or problem.deadline is None:
        return []
    found: list[Warning] = []
    deadline, left = problem.deadline, working_days_left(today, problem.deadline)
    if is_overdue(problem.status, deadline, today):
        found.append(_warning(problem, WarningLevel.RED, Watched.DEADLINE, deadline, None, left))
    elif left <= warning_days:
        found.append(_warning(problem, WarningLevel.BLUE, Watched.DEADLINE, deadline, None, left))
    for number, milestone in enumerate(problem.milestones, start=1):
        if number not in problem.completed_milestones and today > milestone.due:
            found.append(_warning(problem, WarningLevel.YELLOW, Watched.MILESTONE, milestone.due,
                                  number, working_days_left(today, milestone.due)))
    return [w for w in found if w.warning_id not in problem.notices.warned]


def overdue_notices(aggregate_id: UUID, notices: Notices, today: date) -> list[OverdueNotice]:
    """Orders and circulars past their due date without a response, not yet flagged."""
    found = [
        OverdueNotice(warning_id_for(aggregate_id, f"{n.notice.value}:{n.number}", n.due,
                                     WarningLevel.RED.value), n)
        for n in notices.waiting()
        if n.due is not None and today > n.due
    ]
    return [o for o in found if o.warning_id not in notices.warned]


def overdue_filings(unit: Unit, campaign: Campaign, today: date) -> list[OverdueFiling]:
    """The campaign's filings the unit did not send by their due date, while the campaign runs."""
    if not campaign.running_on(today) or unit.name not in campaign.units:
        return []
    found = []
    for filing in Filing:
        due = campaign.due.of(filing)
        filed_on = unit.filed.get(filing)
        if today > due and (filed_on is None or filed_on > due):
            warning_id = warning_id_for(unit.id, filing.value, due, WarningLevel.RED.value)
            if warning_id not in unit.notices.warned:
                found.append(OverdueFiling(warning_id, filing, due))
    return found


def _warning(problem: Problem, level: WarningLevel, watched: Watched, due: date,
             milestone: int | None, left: int) -> Warning:
    key = watched.value if milestone is None else f"{watched.value}:{milestone}"
    return Warning(warning_id_for(problem.id, key, due, level.value), level, watched, due,
                   milestone, left)
