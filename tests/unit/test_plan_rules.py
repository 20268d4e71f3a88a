"""Loose plans are refused: 立行立改 within the rectification phase, a roadmap with milestones."""

from __future__ import annotations

from datetime import date

import pytest

from events.lifecycle import DeadlineExtended, Milestone, RectificationAssigned
from events.vocabulary import ProblemStatus
from services.casework.campaign_rules import CampaignRules
from services.casework.errors import DeadlineError, MilestoneError
from services.casework.problem import Problem
from tests.builders import SUPERVISOR, UNIT_STAFF, a_problem_in, an_act

CAMPAIGN_2023 = CampaignRules(rectification_end=date(2023, 4, 10), campaign_end=date(2023, 4, 20))


def a_problem_under_the_campaign() -> Problem:
    problem = a_problem_in(ProblemStatus.TRIAGED)
    problem.campaign_rules = CAMPAIGN_2023
    return problem


def test_an_on_the_spot_fix_a_year_and_a_half_away_is_refused() -> None:
    problem = a_problem_under_the_campaign()
    with pytest.raises(DeadlineError) as refused:
        problem.assign(an_act(SUPERVISOR), "赵局长", "法制股", "补正程序", date(2027, 6, 30),
                       immediate=True, milestones=())
    assert "立行立改的整改时限 2027-06-30 晚于 2023-04-10" in refused.value.zh
    assert problem.collect_events() == []


def test_an_on_the_spot_fix_by_the_end_of_the_phase_passes_and_may_be_extended_with_approval(
) -> None:
    problem = a_problem_under_the_campaign()
    problem.assign(an_act(SUPERVISOR), "赵局长", "法制股", "补正程序", date(2023, 4, 10),
                   immediate=True, milestones=())
    problem.extend_deadline(an_act(UNIT_STAFF, days_after_report=30), date(2023, 5, 31),
                            "涉及外单位协查", "钱局长")
    assert [type(r.fact) for r in problem.collect_events()] == [RectificationAssigned,
                                                                DeadlineExtended]


def test_during_the_summary_phase_an_on_the_spot_fix_is_due_by_the_campaigns_end() -> None:
    assert CAMPAIGN_2023.latest_immediate(date(2023, 4, 12)) == date(2023, 4, 20)
    assert CAMPAIGN_2023.latest_immediate(date(2023, 3, 1)) == date(2023, 4, 10)
    assert CAMPAIGN_2023.latest_immediate(date(2023, 5, 1)) is None
    assert CampaignRules().latest_immediate(date(2023, 3, 1)) is None


def test_a_roadmap_without_milestones_is_refused() -> None:
    problem = a_problem_under_the_campaign()
    with pytest.raises(MilestoneError) as refused:
        problem.assign(an_act(SUPERVISOR), "赵局长", "法制股", "建立制度", date(2023, 6, 30),
                       immediate=False, milestones=())
    assert "至少一个节点" in refused.value.zh
    problem.assign(an_act(SUPERVISOR), "赵局长", "法制股", "建立制度", date(2023, 6, 30),
                   immediate=False,
                   milestones=(Milestone(due=date(2023, 4, 30), description="制度草案"),))
    assert problem.status is ProblemStatus.RECTIFYING
