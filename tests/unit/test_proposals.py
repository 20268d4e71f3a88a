"""各单位制定整改方案: the unit proposes its four determinations; the office confirms or returns."""

from __future__ import annotations

from datetime import date

import pytest

from events.lifecycle import (
    Milestone,
    ProposalReturned,
    RectificationAssigned,
    RectificationProposed,
)
from events.vocabulary import Plan, ProblemStatus
from services.casework.errors import (
    MilestoneError,
    ProposalError,
    ProposalIncompleteError,
    WrongStatusError,
)
from services.casework.problem import Problem
from services.casework.proposals import Completion
from tests.builders import SUPERVISOR, UNIT_STAFF, a_problem_in, a_submission, an_act

FILER = "济水分局 王五"
STEPS = (Milestone(due=date(2023, 3, 31), description="完成复查"),)
"""The office gives the roadmap its milestones when confirming (a ledger row has none)."""


def proposed(leader: str | None = "赵局长", deadline: date | None = date(2023, 4, 10)) -> Problem:
    problem = a_problem_in(ProblemStatus.REPORTED)
    problem.propose(an_act(UNIT_STAFF), FILER, leader, "法制股", "逐案复查", deadline, None,
                    immediate=False)
    return problem


def test_the_units_proposal_is_recorded_as_the_units_by_its_filer_and_confirmed_by_the_office(
) -> None:
    problem = proposed()
    problem.confirm_proposal(an_act(SUPERVISOR, days_after_report=2), Completion(milestones=STEPS))
    proposal, assignment = [r.fact for r in problem.collect_events()]
    assert isinstance(proposal, RectificationProposed)
    assert (proposal.proposed_by, proposal.actor, proposal.unit) == (FILER, UNIT_STAFF,
                                                                     problem.unit)
    assert isinstance(assignment, RectificationAssigned)
    assert assignment.proposal_version == 2
    assert (assignment.leader, assignment.measures, assignment.deadline) == (
        "赵局长", "逐案复查", date(2023, 4, 10))
    assert problem.status is ProblemStatus.RECTIFYING


def test_an_incomplete_proposal_is_confirmed_only_once_the_office_completes_it() -> None:
    problem = proposed(leader=None, deadline=None)
    with pytest.raises(ProposalIncompleteError) as refused:
        problem.confirm_proposal(an_act(SUPERVISOR), Completion(milestones=STEPS))
    with pytest.raises(MilestoneError):
        problem.confirm_proposal(an_act(SUPERVISOR), Completion(leader="钱局长",
                                                                deadline=date(2023, 4, 1)))
    assert "缺少责任领导、整改时限" in refused.value.zh
    problem.confirm_proposal(an_act(SUPERVISOR), Completion(leader="钱局长",
                                                            deadline=date(2023, 4, 1),
                                                            milestones=STEPS))
    assignment = problem.collect_events()[-1].fact
    assert isinstance(assignment, RectificationAssigned)
    assert (assignment.leader, assignment.department, assignment.plan) == (
        "钱局长", "法制股", Plan.ROADMAP)


def test_a_returned_proposal_cannot_be_confirmed_and_the_unit_may_propose_again() -> None:
    problem = proposed()
    problem.return_proposal(an_act(SUPERVISOR), "措施不具体")
    with pytest.raises(ProposalError):
        problem.confirm_proposal(an_act(SUPERVISOR), Completion(milestones=STEPS))
    problem.propose(an_act(UNIT_STAFF), FILER, "赵局长", "法制股", "逐案复查并建立台账",
                    date(2023, 4, 10), None, immediate=False)
    problem.confirm_proposal(an_act(SUPERVISOR), Completion(milestones=STEPS))
    kinds = [type(r.fact) for r in problem.collect_events()]
    assert kinds == [RectificationProposed, ProposalReturned, RectificationProposed,
                     RectificationAssigned]


def test_the_same_proposal_again_records_nothing_and_none_is_taken_once_assigned() -> None:
    problem = proposed()
    with pytest.raises(ProposalError):
        problem.propose(an_act(UNIT_STAFF), FILER, "赵局长", "法制股", "逐案复查",
                        date(2023, 4, 10), None, immediate=False)
    problem.confirm_proposal(an_act(SUPERVISOR), Completion(milestones=STEPS))
    with pytest.raises(WrongStatusError):
        problem.propose(an_act(UNIT_STAFF), FILER, "赵局长", "法制股", "另一方案",
                        date(2023, 4, 10), None, immediate=False)


def test_a_proposal_naming_nothing_is_refused() -> None:
    problem = a_problem_in(ProblemStatus.REPORTED)
    with pytest.raises(ProposalIncompleteError):
        problem.propose(an_act(UNIT_STAFF), FILER, None, None, None, None, None, immediate=False)
    assert problem.collect_events() == []


def test_replaying_a_proposal_rebuilds_it_pending() -> None:
    problem = Problem.report(a_submission())
    problem.propose(an_act(UNIT_STAFF), FILER, "赵局长", None, "逐案复查", None, "长期坚持",
                    immediate=True)
    replayed: Problem | None = None
    for recorded in problem.collect_events():
        replayed = recorded.mutate(replayed)
    assert replayed is not None
    assert replayed.proposals.pending_version == problem.proposals.pending_version == 2
    assert replayed.proposals.pending == problem.proposals.pending
