"""Which warnings are due on a day: blue near the deadline, yellow for late milestones, red
once missed; each once, because a recorded warning's id is never due again."""

from __future__ import annotations

from datetime import date, datetime, time

from events.vocabulary import Filing, Notice, Trigger, Via, WarningLevel, Watched
from services.casework.problem import Act, Problem
from services.casework.unit import Unit
from services.clock import CHINA_TIME
from services.supervision.campaign import Campaign
from services.supervision.deadlines import (
    overdue_filings,
    overdue_notices,
    problem_warnings,
)
from tests.builders import SUPERVISOR, a_rectifying_problem, an_act

# The builders' problem: deadline 2023-04-10 (Monday), milestones 2023-03-15 and 2023-04-01.


def on(day: date, actor: str = "系统预警") -> Act:
    """Someone acting at nine in the morning, China time, on ``day``."""
    return Act(actor, Via.SYSTEM, datetime.combine(day, time(9), CHINA_TIME))


def levels(problem: Problem, today: date, warning_days: int = 3) -> list[tuple[str, int | None]]:
    return [(w.level.value, w.milestone) for w in problem_warnings(problem, today, warning_days)]


def record_all(problem: Problem, today: date) -> None:
    for warning in problem_warnings(problem, today, 3):
        problem.warn(an_act("系统预警"), warning)


def test_nothing_is_due_while_the_deadline_is_far_and_milestones_are_ahead() -> None:
    assert levels(a_rectifying_problem(), date(2023, 3, 1)) == []


def test_blue_when_the_deadline_is_within_the_warning_days_counted_in_working_days() -> None:
    problem = a_rectifying_problem()
    problem.complete_milestone(an_act(), 1, "done")
    problem.complete_milestone(an_act(), 2, "done")
    # From Mon 4-3: 4-4, 4-6, 4-7, 4-10 are working days (4-5 is Qingming): 4 left, no warning.
    assert levels(problem, date(2023, 4, 3)) == []
    # From Tue 4-4: 4-6, 4-7, 4-10: three working days, though six calendar days.
    [blue] = problem_warnings(problem, date(2023, 4, 4), 3)
    assert (blue.level, blue.watched, blue.due, blue.working_days_left) == (
        WarningLevel.BLUE, Watched.DEADLINE, date(2023, 4, 10), 3)


def test_yellow_for_each_milestone_past_its_date_and_not_done() -> None:
    problem = a_rectifying_problem()
    assert levels(problem, date(2023, 3, 16)) == [("yellow", 1)]
    problem.complete_milestone(an_act(), 1, "late but done")
    assert levels(problem, date(2023, 4, 2)) == [("yellow", 2)]


def test_red_once_the_deadline_passed_and_no_late_blue() -> None:
    problem = a_rectifying_problem()
    assert levels(problem, date(2023, 4, 11)) == [("red", None), ("yellow", 1), ("yellow", 2)]


def test_each_warning_is_due_only_until_it_is_recorded() -> None:
    problem = a_rectifying_problem()
    record_all(problem, date(2023, 3, 16))
    assert levels(problem, date(2023, 3, 17)) == []
    record_all(problem, date(2023, 4, 11))
    assert levels(problem, date(2023, 4, 12)) == []
    assert [f.fact.type for f in problem.collect_events()] == ["DeadlineWarningRaised"] * 3


def test_an_extended_deadline_is_a_new_deadline_with_its_own_warnings() -> None:
    problem = a_rectifying_problem()
    record_all(problem, date(2023, 4, 11))
    problem.extend_deadline(an_act(), date(2023, 4, 28), "需跨部门协调", "赵局长")
    [blue] = problem_warnings(problem, date(2023, 4, 25), 3)
    assert (blue.level, blue.due) == (WarningLevel.BLUE, date(2023, 4, 28))


def test_no_warnings_once_the_fix_is_submitted() -> None:
    problem = a_rectifying_problem()
    problem.submit_fix(an_act("第一分局 王五"), "已整改", ())
    assert levels(problem, date(2023, 4, 11)) == []


def test_an_order_past_its_due_date_without_a_response_is_overdue_once() -> None:
    problem = a_rectifying_problem()
    problem.issue_notice(an_act(SUPERVISOR), Notice.ORDER, "进展缓慢", date(2023, 3, 20),
                         (Trigger.SLOW,))
    problem.issue_notice(an_act(SUPERVISOR), Notice.CIRCULAR, "通报批评", date(2023, 3, 25))
    problem.respond(an_act("第一分局 王五"), Notice.CIRCULAR, 1, "已整改")
    assert overdue_notices(problem.id, problem.notices, date(2023, 3, 20)) == []
    [late] = overdue_notices(problem.id, problem.notices, date(2023, 3, 21))
    assert (late.notice.notice, late.notice.number, late.notice.due) == (
        Notice.ORDER, 1, date(2023, 3, 20))
    problem.flag_response_overdue(on(date(2023, 3, 21)), late.warning_id, Notice.ORDER, 1)
    assert overdue_notices(problem.id, problem.notices, date(2023, 3, 22)) == []


def test_a_ledger_not_filed_by_its_due_date_is_overdue_while_the_campaign_runs() -> None:
    campaign = Campaign(units=("甲分局", "乙分局"))
    late, on_time = Unit("甲分局"), Unit("乙分局")
    on_time.submit_filing(on(date(2023, 3, 3), "乙分局 填报人"), Filing.LEDGER, None)
    assert overdue_filings(late, campaign, date(2023, 3, 5)) == []
    [overdue] = overdue_filings(late, campaign, date(2023, 3, 6))
    assert (overdue.filing, overdue.due) == (Filing.LEDGER, date(2023, 3, 5))
    assert overdue_filings(on_time, campaign, date(2023, 3, 6)) == []
    assert overdue_filings(late, campaign, date(2024, 3, 6)) == []  # the campaign is over
    assert overdue_filings(Unit("局外单位"), campaign, date(2023, 3, 6)) == []
