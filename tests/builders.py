"""Builders for tests: a submission, an act, and a Problem brought to any status.

Each builder takes overrides for what a test cares about and fills in the rest with a plausible
story: a website report about repeated inspections of one enterprise, rectified by the first
branch bureau and verified by the supervising section.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from events.identity import problem_id_for
from events.lifecycle import Milestone, Reporter
from events.submission import IntakeSubmission
from events.vocabulary import Category, Channel, ProblemStatus, Via
from services.casework.problem import Act, Problem

REPORTED_AT = datetime(2023, 2, 22, 9, 30, tzinfo=UTC)
DEADLINE = date(2023, 4, 10)
MILESTONES = (
    Milestone(due=date(2023, 3, 15), description="制定联合检查计划"),
    Milestone(due=date(2023, 4, 1), description="完成检查事项清单"),
)

UNIT_STAFF = "第一分局 王五"
"""Who rectifies and submits the fix."""

SUPERVISOR = "法规科 李四"
"""Who triages, assigns, verifies and closes: the supervising section."""

OTHER_PROBLEM = problem_id_for(Channel.HOTLINE, "hotline-0001")


def a_submission(**overrides: Any) -> IntakeSubmission:
    """A website report of too-frequent inspections, unless told otherwise."""
    fields: dict[str, Any] = {
        "channel": Channel.WEBSITE,
        "intake_id": "web-2023-0001",
        "unit": "第一分局",
        "category": Category.OVER_INSPECTION,
        "problem": "同一企业一个月内被三个科室分别检查",
        "case": "某化工企业2月份接受检查三次，内容重复",
        "submitted_at": REPORTED_AT,
        "reporter": Reporter(name="张三", phone="13800000000"),
        "enterprise": "某化工企业",
    }
    fields.update(overrides)
    return IntakeSubmission.model_validate(fields)


def an_act(actor: str = SUPERVISOR, days_after_report: int = 1, via: Via = Via.CLI) -> Act:
    """Someone acting through the command line, a day after the report unless told otherwise."""
    return Act(actor=actor, via=via, at=REPORTED_AT + timedelta(days=days_after_report))


def triage(problem: Problem) -> None:
    problem.triage(an_act(), Category.OVER_INSPECTION, "检查计划未统筹", typical=False)


def decline(problem: Problem) -> None:
    problem.decline(an_act(), "不属于本次整治范围")


def link_duplicate(problem: Problem) -> None:
    problem.link_duplicate(an_act(), OTHER_PROBLEM)


def assign_roadmap(problem: Problem) -> None:
    problem.assign(
        an_act(days_after_report=2),
        "赵局长",
        "执法支队",
        "统筹制定年度检查计划",
        DEADLINE,
        immediate=False,
        milestones=MILESTONES,
    )


def submit_fix(problem: Problem) -> None:
    problem.submit_fix(
        an_act(UNIT_STAFF, days_after_report=30), "已建立联合检查机制", ("联合检查计划.pdf",)
    )


def verify_fix(problem: Problem) -> None:
    problem.verify_fix(an_act(SUPERVISOR, days_after_report=35))


def answer_if_public(problem: Problem) -> None:
    """件件有回音: a reporter is told the outcome before the problem may be closed."""
    if problem.answerable:
        problem.answer_reporter(an_act(SUPERVISOR, days_after_report=35), "已整改完毕", None)


def close(problem: Problem) -> None:
    problem.close(an_act(SUPERVISOR, days_after_report=36))


PATHS: dict[ProblemStatus, tuple[Callable[[Problem], None], ...]] = {
    ProblemStatus.REPORTED: (),
    ProblemStatus.TRIAGED: (triage,),
    ProblemStatus.DECLINED: (decline,),
    ProblemStatus.DUPLICATE: (link_duplicate,),
    ProblemStatus.RECTIFYING: (triage, assign_roadmap),
    ProblemStatus.FIX_SUBMITTED: (triage, assign_roadmap, submit_fix),
    ProblemStatus.VERIFIED: (triage, assign_roadmap, submit_fix, verify_fix, answer_if_public),
    ProblemStatus.CLOSED: (triage, assign_roadmap, submit_fix, verify_fix, answer_if_public,
                           close),
}
"""The usual way to each status, as the commands that lead there from a fresh report."""


def bring_to(problem: Problem, status: ProblemStatus) -> Problem:
    """Take a freshly reported problem to ``status``, leaving the facts uncollected."""
    for step in PATHS[status]:
        step(problem)
    assert problem.status is status
    return problem


def a_problem_in(status: ProblemStatus, **submission_overrides: Any) -> Problem:
    """A problem at ``status``, its history already saved: nothing is pending."""
    problem = bring_to(Problem.report(a_submission(**submission_overrides)), status)
    problem.collect_events()
    return problem


def a_reported_problem(**overrides: Any) -> Problem:
    return a_problem_in(ProblemStatus.REPORTED, **overrides)


def a_rectifying_problem(**overrides: Any) -> Problem:
    return a_problem_in(ProblemStatus.RECTIFYING, **overrides)


def a_problem_with_a_fix_submitted(**overrides: Any) -> Problem:
    return a_problem_in(ProblemStatus.FIX_SUBMITTED, **overrides)


def a_closed_problem(**overrides: Any) -> Problem:
    return a_problem_in(ProblemStatus.CLOSED, **overrides)


def problem_id_of(submission: IntakeSubmission) -> UUID:
    return problem_id_for(submission.channel, submission.intake_id)
