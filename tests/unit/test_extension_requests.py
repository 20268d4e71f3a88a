"""申请延期: a unit's staff ask, the unit's leader approves or refuses; an approved request
moves the deadline (beyond the rectification phase too, for 立行立改); old extensions read."""

from __future__ import annotations

import json
from datetime import date

import pytest

from events.lifecycle import (
    DeadlineExtended,
    ExtensionRefused,
    ExtensionRequested,
    parse_event,
)
from events.vocabulary import ProblemStatus
from services.casework.campaign_rules import CampaignRules
from services.casework.errors import (
    DeadlineError,
    ExtensionRequestError,
    ReasonRequiredError,
    SelfVerificationError,
    WrongStatusError,
)
from services.casework.problem import Problem
from tests.builders import (
    DEADLINE,
    SUPERVISOR,
    UNIT_STAFF,
    a_problem_in,
    a_problem_with_a_fix_submitted,
    a_submission,
    an_act,
    bring_to,
    verify_fix,
)

LEADER = "第一分局 钱局长"


def a_rectifying_problem() -> Problem:
    """Being rectified, its whole history still pending (so that it can be replayed)."""
    return bring_to(Problem.report(a_submission()), ProblemStatus.RECTIFYING)


def replayed(problem: Problem) -> Problem:
    """The same problem rebuilt from its recorded facts (the store's view of it)."""
    facts = problem.collect_events()
    rebuilt = facts[0].mutate(None)
    for fact in facts[1:]:
        rebuilt = fact.mutate(rebuilt)
    return rebuilt


def test_a_request_approved_by_the_leader_moves_the_deadline() -> None:
    problem = a_rectifying_problem()
    problem.request_extension(an_act(UNIT_STAFF, 10), date(2023, 5, 31), "涉及外单位协查")
    asked = problem.pending_events[-1]
    assert isinstance(asked.fact, ExtensionRequested)
    assert (asked.fact.current_deadline, asked.fact.deadline) == (DEADLINE, date(2023, 5, 31))
    assert problem.deadline == DEADLINE  # asking alone changes nothing

    problem.approve_extension(an_act(LEADER, 11))
    approved = problem.pending_events[-1].fact
    assert isinstance(approved, DeadlineExtended)
    assert (approved.previous_deadline, approved.deadline) == (DEADLINE, date(2023, 5, 31))
    assert (approved.approved_by, approved.reason) == (LEADER, "涉及外单位协查")
    assert approved.request_version == asked.originator_version
    assert problem.deadline == date(2023, 5, 31)
    assert problem.extension_request is None
    assert replayed(problem).deadline == date(2023, 5, 31)


def test_a_refused_request_leaves_the_deadline_and_a_new_one_may_follow() -> None:
    problem = a_rectifying_problem()
    problem.request_extension(an_act(UNIT_STAFF, 10), date(2023, 5, 31), "涉及外单位协查")
    with pytest.raises(ReasonRequiredError):
        problem.refuse_extension(an_act(LEADER, 11), "  ")
    problem.refuse_extension(an_act(LEADER, 11), "协查可同步进行，不予延期")
    refused = problem.pending_events[-1].fact
    assert isinstance(refused, ExtensionRefused)
    assert refused.request_version == problem.version - 1
    assert problem.deadline == DEADLINE
    with pytest.raises(ExtensionRequestError) as nothing:
        problem.approve_extension(an_act(LEADER, 12))
    assert "没有待审批的延期申请" in nothing.value.zh
    problem.request_extension(an_act(UNIT_STAFF, 12), date(2023, 4, 30), "缩短延期")
    assert replayed(problem).extension_request is not None


def test_one_request_at_a_time_later_than_now_and_not_approved_by_its_asker() -> None:
    problem = a_rectifying_problem()
    with pytest.raises(DeadlineError):
        problem.request_extension(an_act(UNIT_STAFF, 10), DEADLINE, "不变")
    problem.request_extension(an_act(UNIT_STAFF, 10), date(2023, 5, 31), "涉及外单位协查")
    with pytest.raises(ExtensionRequestError) as twice:
        problem.request_extension(an_act(UNIT_STAFF, 10), date(2023, 6, 30), "再申请")
    assert "已有延期申请" in twice.value.zh
    with pytest.raises(SelfVerificationError):
        problem.approve_extension(an_act(UNIT_STAFF, 11))


def test_only_a_problem_being_rectified_takes_a_request_and_verification_lapses_it() -> None:
    with pytest.raises(WrongStatusError):
        a_problem_in(ProblemStatus.TRIAGED).request_extension(
            an_act(UNIT_STAFF), date(2023, 5, 31), "理由")
    problem = a_rectifying_problem()
    problem.request_extension(an_act(UNIT_STAFF, 10), date(2023, 5, 31), "涉及外单位协查")
    problem.submit_fix(an_act(UNIT_STAFF, 11), "已整改", ())
    with pytest.raises(WrongStatusError):
        problem.approve_extension(an_act(LEADER, 12))
    verify_fix(problem)
    assert problem.extension_request is None
    assert a_problem_with_a_fix_submitted().extension_request is None


def test_an_approved_request_lets_an_on_the_spot_fix_run_past_the_rectification_phase() -> None:
    problem = a_problem_in(ProblemStatus.TRIAGED)
    problem.campaign_rules = CampaignRules(rectification_end=date(2023, 4, 10),
                                           campaign_end=date(2023, 4, 20))
    problem.assign(an_act(SUPERVISOR), "赵局长", "法制股", "补正程序", date(2023, 4, 10),
                   immediate=True, milestones=())
    problem.request_extension(an_act(UNIT_STAFF, 30), date(2023, 6, 30), "需上级统一采购设备")
    problem.approve_extension(an_act(LEADER, 31))
    assert problem.deadline == date(2023, 6, 30)


def test_an_extension_recorded_before_requests_existed_reads_as_a_direct_one() -> None:
    problem = a_rectifying_problem()
    problem.extend_deadline(an_act(LEADER, 10), date(2023, 5, 31), "涉及外单位协查", LEADER)
    stored = problem.pending_events[-1].fact.model_dump(mode="json")
    del stored["request_version"]
    stored["version"] = 1
    old = parse_event(json.dumps(stored))
    assert isinstance(old, DeadlineExtended)
    assert (old.version, old.request_version, old.deadline) == (2, None, date(2023, 5, 31))
