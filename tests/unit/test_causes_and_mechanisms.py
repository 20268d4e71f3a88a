"""剖析原因、典型案件、建章立制: causes from the campaign's list, typical cases by the notice's
criterion, mechanisms recorded for the unit."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from events.lifecycle import ProblemTriaged
from events.notices import NoticeIssued
from events.supervision import MechanismAdopted, PlanFiled
from events.vocabulary import (
    Category,
    MechanismKind,
    Notice,
    PlanKind,
    ProblemStatus,
    Trigger,
    TypicalReason,
)
from services.casework.campaign_rules import CampaignRules
from services.casework.errors import DeadlineError, ReasonRequiredError
from services.casework.unit import Unit
from services.supervision.campaign import DEFAULT_CAUSES, Campaign
from tests.builders import SUPERVISOR, a_problem_in, an_act

LATER = an_act(SUPERVISOR, days_after_report=10)
RULES = CampaignRules(causes=(*DEFAULT_CAUSES, "上级文件衔接不畅"))


def test_a_cause_is_chosen_from_the_campaigns_list_and_the_office_may_extend_it() -> None:
    campaign = Campaign(extra_causes=("上级文件衔接不畅",))
    assert campaign.causes == RULES.causes
    problem = a_problem_in(ProblemStatus.REPORTED)
    problem.campaign_rules = RULES
    with pytest.raises(ReasonRequiredError) as refused:
        problem.triage(an_act(SUPERVISOR), None, "说不清", False, cause="运气不好")
    assert "可在专项整治行动文件的 extra_causes 中补充" in refused.value.zh
    problem.triage(an_act(SUPERVISOR), None, "与上级文件不一致", False, cause="上级文件衔接不畅")
    [triaged] = [r.fact for r in problem.collect_events()]
    assert isinstance(triaged, ProblemTriaged)
    assert (triaged.cause, triaged.root_cause) == ("上级文件衔接不畅", "与上级文件不一致")


def test_a_typical_case_needs_the_notices_criterion() -> None:
    problem = a_problem_in(ProblemStatus.REPORTED)
    with pytest.raises(ReasonRequiredError):
        problem.triage(an_act(SUPERVISOR), None, None, True)
    problem.triage(an_act(SUPERVISOR), None, None, False,
                   typical_reasons=(TypicalReason.VITAL_INTERESTS, TypicalReason.SOCIAL_IMPACT))
    [triaged] = [r.fact for r in problem.collect_events()]
    assert isinstance(triaged, ProblemTriaged)
    assert triaged.typical
    assert [r.label("zh") for r in triaged.typical_reasons] == ["事关人民群众切身利益",
                                                                "社会影响较大"]


def test_a_triage_recorded_before_causes_reads_with_none() -> None:
    problem = a_problem_in(ProblemStatus.REPORTED)
    problem.triage(an_act(SUPERVISOR), None, "旧的原因", False)
    [triaged] = [r.fact for r in problem.collect_events()]
    old = triaged.model_dump(mode="json", exclude={"cause", "typical_reasons"}) | {"version": 1}
    read = ProblemTriaged.model_validate(old)
    assert (read.version, read.cause, read.typical_reasons) == (2, None, ())


def test_a_unit_records_a_mechanism_with_its_date_document_problems_and_categories() -> None:
    unit = Unit("济水分局")
    problem = uuid4()
    unit.adopt_mechanism(an_act(SUPERVISOR, days_after_report=50), "行政处罚案件集体讨论制度",
                         MechanismKind.RULE, date(2023, 4, 12), "济环法〔2023〕5号", (problem,),
                         (Category.PROCEDURE,))
    [adopted] = [r.fact for r in unit.collect_events()]
    assert isinstance(adopted, MechanismAdopted)
    assert (adopted.document, adopted.problems, adopted.categories) == (
        "济环法〔2023〕5号", (problem,), (Category.PROCEDURE,))
    with pytest.raises(DeadlineError):
        unit.adopt_mechanism(an_act(SUPERVISOR), "未来的制度", MechanismKind.RULE,
                             date(2030, 1, 1), None, (), ())


def test_a_plan_has_every_part_the_notice_names_and_may_be_revised() -> None:
    unit = Unit("济水分局")
    parts = {"content": "案卷评查发现的程序问题", "goals": "4月10日前全部整改到位",
             "measures": "逐案复查、专题培训", "schedule": "3月20日前复查，4月10日前销号",
             "responsible": "法制股 王五"}
    with pytest.raises(ReasonRequiredError) as refused:
        unit.file_plan(LATER, PlanKind.RECTIFICATION_PLAN, "整改方案", date(2023, 2, 25), None,
                       parts | {"schedule": " "})
    assert refused.value.zh == "方案缺少：进度安排"
    unit.file_plan(LATER, PlanKind.RECTIFICATION_PLAN, "整改方案", date(2023, 2, 25),
                   "济水环〔2023〕3号", parts)
    [filed] = [r.fact for r in unit.collect_events()]
    assert isinstance(filed, PlanFiled)
    assert (filed.kind, filed.goals, filed.responsible) == (
        PlanKind.RECTIFICATION_PLAN, "4月10日前全部整改到位", "法制股 王五")


def test_orders_and_circulars_carry_the_notices_triggers_and_old_ones_read_with_none() -> None:
    unit = Unit("玉泉分局")
    unit.issue_notice(LATER, Notice.ORDER, "自查流于形式，推进缓慢", date(2023, 3, 20),
                      (Trigger.SHALLOW, Trigger.SLOW))
    problem = a_problem_in(ProblemStatus.RECTIFYING)
    problem.issue_notice(LATER, Notice.CIRCULAR, "拒不整改", None, (Trigger.REFUSING,))
    [order] = [r.fact for r in unit.collect_events()]
    [circular] = [r.fact for r in problem.collect_events()]
    assert isinstance(order, NoticeIssued)
    assert isinstance(circular, NoticeIssued)
    assert [t.label("zh") for t in order.triggers] == ["查找问题不深入不具体", "整治工作推进迟缓"]
    assert circular.triggers == (Trigger.REFUSING,)
    old = order.model_dump(mode="json", exclude={"triggers", "notice", "broadcast",
                                                 "response_required", "problem_id"})
    old |= {"type": "UnitOrderIssued", "version": 1}
    assert NoticeIssued.model_validate(old).triggers == ()
