"""The closure gate, orders and circulars with responses, the unit's record, and rebounds, as
the aggregates and the casework application enforce them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID

import pytest

from events.commands import Close, SelectForSpotCheck, SubmitFiling
from events.identity import unit_id_for, warning_id_for
from events.lifecycle import ProblemClosed, ReporterAnswered
from events.notice_commands import IssueNotice, MarkNoticeRead, RespondToNotice
from events.notices import NoticeIssued, NoticeResponded
from events.supervision import FilingSubmitted, ReboundSuspected, SpotCheckSelected
from events.vocabulary import (
    Channel,
    Filing,
    Notice,
    ProblemStatus,
    Trigger,
    Via,
    WarningLevel,
    Watched,
)
from services.casework.application import Casework
from services.casework.errors import (
    AlreadyReadError,
    AlreadyRespondedError,
    AlreadySelectedError,
    DeadlineError,
    DuplicateWarningError,
    NoResponseOwedError,
    NotACampaignUnitError,
    NoticeNotFoundError,
    ReporterNotAnsweredError,
    SelfVerificationError,
    TriggerRequiredError,
)
from services.casework.problem import Act, Warning
from services.casework.unit import Unit
from services.clock import CHINA_TIME
from tests.builders import (
    DEADLINE,
    SUPERVISOR,
    UNIT_STAFF,
    a_problem_in,
    a_problem_with_a_fix_submitted,
    a_rectifying_problem,
    a_submission,
    an_act,
    bring_to,
)

SLOW = (Trigger.SLOW,)
"""整治工作推进迟缓: the trigger these orders name."""


def at(day: date, actor: str = SUPERVISOR) -> Act:
    return Act(actor, Via.CLI, datetime.combine(day, time(9), CHINA_TIME))


# ------------------------------------------------------------------------- the closure gate


@pytest.mark.parametrize("channel", [c for c in Channel if c.is_public])
def test_a_public_report_cannot_be_closed_before_its_reporter_is_answered(
        channel: Channel) -> None:
    problem = a_problem_with_a_fix_submitted(channel=channel)
    problem.verify_fix(an_act(SUPERVISOR))
    with pytest.raises(ReporterNotAnsweredError) as refused:
        problem.close(an_act(SUPERVISOR))
    assert refused.value.code == "reporter_not_answered"
    assert "须在验收后答复举报人处理结果" in refused.value.zh
    assert "answer the reporter with the outcome" in refused.value.en
    assert problem.status is ProblemStatus.VERIFIED

    problem.answer_reporter(an_act(SUPERVISOR), "已整改完毕", None)
    problem.close(an_act(SUPERVISOR))
    assert [type(r.fact) for r in problem.collect_events()][-2:] == [ReporterAnswered,
                                                                     ProblemClosed]


def test_a_problem_the_unit_found_itself_closes_without_an_answer() -> None:
    problem = a_problem_in(ProblemStatus.CLOSED, channel=Channel.SELF_INSPECTION, reporter=None,
                           filed_by=UNIT_STAFF)
    assert problem.answers.given == {}
    assert problem.status is ProblemStatus.CLOSED


def test_whoever_submitted_the_fix_cannot_verify_it_and_is_told_why() -> None:
    problem = a_problem_with_a_fix_submitted()
    with pytest.raises(SelfVerificationError) as refused:
        problem.verify_fix(an_act(UNIT_STAFF))
    assert refused.value.zh == f"整改结果由 {UNIT_STAFF} 提交，须由其他人验收"
    assert problem.collect_events() == []


def test_the_casework_application_refuses_closing_an_unanswered_public_report() -> None:
    casework = Casework()
    [filed] = casework.file([a_submission()])
    problem = bring_to(casework.get_problem(filed.problem_id), ProblemStatus.FIX_SUBMITTED)
    problem.verify_fix(an_act(SUPERVISOR))
    casework.save(problem)
    with pytest.raises(ReporterNotAnsweredError):
        casework.handle(Close(problem_id=filed.problem_id, actor=SUPERVISOR))
    assert casework.get_problem(filed.problem_id).status is ProblemStatus.VERIFIED


# ------------------------------------------------------------ orders, circulars, responses


def test_orders_and_circulars_are_numbered_and_each_answered_once() -> None:
    problem = a_rectifying_problem()
    problem.issue_notice(an_act(), Notice.ORDER, "进展缓慢", date(2023, 3, 20), SLOW)
    problem.issue_notice(an_act(), Notice.CIRCULAR, "通报", None)
    problem.issue_notice(an_act(), Notice.CIRCULAR, "再次通报", date(2023, 3, 30))
    problem.respond(an_act(UNIT_STAFF), Notice.CIRCULAR, 2, "已整改")
    events = [r.fact for r in problem.collect_events()]
    assert [getattr(e, "number", None) for e in events] == [1, 1, 2, 2]
    assert isinstance(events[-1], NoticeResponded)
    with pytest.raises(AlreadyRespondedError):
        problem.respond(an_act(UNIT_STAFF), Notice.CIRCULAR, 2, "再说一遍")
    with pytest.raises(NoticeNotFoundError) as refused:
        problem.respond(an_act(UNIT_STAFF), Notice.ORDER, 2, "回复")
    assert "没有第 2 号督办（共 1 个）" in refused.value.zh


def test_a_response_is_not_overdue_before_its_date_passes() -> None:
    problem = a_rectifying_problem()
    problem.issue_notice(an_act(), Notice.ORDER, "进展缓慢", date(2023, 3, 20), SLOW)
    key = warning_id_for(problem.id, "order:1", date(2023, 3, 20), "red")
    with pytest.raises(DeadlineError):
        problem.flag_response_overdue(at(date(2023, 3, 20)), key, Notice.ORDER, 1)
    problem.flag_response_overdue(at(date(2023, 3, 21)), key, Notice.ORDER, 1)
    with pytest.raises(DuplicateWarningError):
        problem.flag_response_overdue(at(date(2023, 3, 22)), key, Notice.ORDER, 1)


def test_the_same_warning_is_refused_a_second_time() -> None:
    problem = a_rectifying_problem()
    warning = Warning(warning_id_for(problem.id, "deadline", DEADLINE, "red"), WarningLevel.RED,
                      Watched.DEADLINE, DEADLINE, None, -1)
    problem.warn(an_act("系统预警"), warning)
    with pytest.raises(DuplicateWarningError) as refused:
        problem.warn(an_act("系统预警"), warning)
    assert refused.value.code == "duplicate_warning"
    assert len(problem.collect_events()) == 1


# --------------------------------------------------------------------------- the unit record


def test_a_unit_record_starts_with_its_first_fact_and_replays_from_the_store() -> None:
    casework = Casework()
    assert casework.get_unit("甲分局").version == 0
    casework.handle_unit(SubmitFiling(unit="甲分局", actor="甲分局 填报人", filing=Filing.LEDGER,
                                      phone="0391-1234567"))
    casework.handle_notice(IssueNotice(unit="甲分局", actor=SUPERVISOR, notice=Notice.ORDER,
                                       reason="自查不深入", due=date(2023, 3, 20),
                                       triggers=(Trigger.SHALLOW,)))
    version = casework.handle_notice(RespondToNotice(unit="甲分局", actor="甲分局 局长",
                                                     notice=Notice.ORDER, number=1,
                                                     response="已补查"))
    unit = casework.get_unit("甲分局")
    assert (unit.id, unit.version, version) == (unit_id_for("甲分局"), 3, 3)
    assert Filing.LEDGER in unit.filed
    assert unit.notices.waiting() == []
    facts = casework.unit_history("甲分局")
    assert [f.type for f in facts] == ["FilingSubmitted", "NoticeIssued", "NoticeResponded"]
    assert isinstance(facts[0], FilingSubmitted)
    assert isinstance(facts[1], NoticeIssued)
    assert facts[1].problem_id is None


def test_a_unit_is_selected_for_a_spot_check_once() -> None:
    casework = Casework()
    casework.handle_unit(SelectForSpotCheck(unit="乙分局", actor=SUPERVISOR, reason="零报告"))
    with pytest.raises(AlreadySelectedError):
        casework.handle_unit(SelectForSpotCheck(unit="乙分局", actor=SUPERVISOR, reason="再选"))
    [fact] = casework.unit_history("乙分局")
    assert isinstance(fact, SpotCheckSelected)


def test_a_filing_overdue_is_refused_for_a_unit_that_filed_in_time() -> None:
    unit = Unit("甲分局")
    unit.submit_filing(at(date(2023, 3, 4)), Filing.LEDGER, None)
    key = warning_id_for(unit.id, "ledger", date(2023, 3, 5), "red")
    with pytest.raises(DeadlineError):
        unit.flag_filing_overdue(at(date(2023, 3, 6)), key, Filing.LEDGER, date(2023, 3, 5))


# ------------------------------------------------------------------------------- rebounds


def closed_self_inspection(casework: Casework, intake_id: str, enterprise: str) -> UUID:
    [filed] = casework.file([a_submission(channel=Channel.SELF_INSPECTION, reporter=None,
                                          intake_id=intake_id, enterprise=enterprise,
                                          filed_by=UNIT_STAFF)])
    problem = bring_to(casework.get_problem(filed.problem_id), ProblemStatus.CLOSED)
    casework.save(problem)
    return filed.problem_id


def test_a_new_report_matching_a_recently_closed_problem_is_a_suspected_rebound() -> None:
    casework = Casework()
    closed = closed_self_inspection(casework, "row-1", "某化工企业")
    closed_on = casework.get_problem(closed).modified_on.astimezone(CHINA_TIME).date()
    later = casework.get_problem(closed).modified_on + timedelta(days=30)
    [again] = casework.file([a_submission(intake_id="web-9", enterprise=" 某化工企业 ",
                                          submitted_at=later)])
    history = casework.history(again.problem_id)
    assert [e.type for e in history] == ["ProblemReported", "ReboundSuspected"]
    rebound = history[1]
    assert isinstance(rebound, ReboundSuspected)
    assert (rebound.closed_problem, rebound.closed_on, rebound.days_since_closed) == (
        closed, closed_on, 30)
    assert rebound.via is Via.SYSTEM


@pytest.mark.parametrize("overrides", [
    {"enterprise": "另一企业"},
    {"unit": "第二分局"},
    {"category": "uncivil"},
    {"days": 91},
], ids=["other-enterprise", "other-unit", "other-category", "outside-window"])
def test_a_report_that_differs_or_comes_too_late_is_not_a_rebound(
        overrides: dict[str, object]) -> None:
    casework = Casework()
    closed = closed_self_inspection(casework, "row-1", "某化工企业")
    days = int(str(overrides.pop("days", 10)))
    later = casework.get_problem(closed).modified_on + timedelta(days=days)
    fields = {"intake_id": "web-9", "enterprise": "某化工企业", "submitted_at": later, **overrides}
    [again] = casework.file([a_submission(**fields)])
    assert [e.type for e in casework.history(again.problem_id)] == ["ProblemReported"]


def test_the_rebound_window_is_configurable() -> None:
    casework = Casework()
    casework.rebound.window_days = 120
    closed = closed_self_inspection(casework, "row-1", "某化工企业")
    later = casework.get_problem(closed).modified_on + timedelta(days=100)
    [again] = casework.file([a_submission(intake_id="web-9", enterprise="某化工企业",
                                          submitted_at=later)])
    assert casework.history(again.problem_id)[-1].type == "ReboundSuspected"


def test_a_reopened_problem_is_no_longer_a_rebound_candidate() -> None:
    casework = Casework()
    closed = closed_self_inspection(casework, "row-1", "某化工企业")
    problem = casework.get_problem(closed)
    problem.reopen(an_act(SUPERVISOR, days_after_report=40), "群众再次反映")
    casework.save(problem)
    later = problem.modified_on + timedelta(days=1)
    [again] = casework.file([a_submission(intake_id="web-9", enterprise="某化工企业",
                                          submitted_at=later)])
    assert [e.type for e in casework.history(again.problem_id)] == ["ProblemReported"]


# ------------------------------------------------------------------ circulars to all units


def test_a_circular_to_all_units_is_one_copy_per_unit_owed_only_by_the_named_responders(
) -> None:
    casework = Casework()
    casework.handle_notice(IssueNotice(unit="乙分局", actor=SUPERVISOR, notice=Notice.CIRCULAR,
                                       reason="此前的通报"))
    units = casework.circulate_to_all(
        IssueNotice(actor=SUPERVISOR, notice=Notice.CIRCULAR, reason="共性问题通报",
                    due=date(2023, 3, 25), responders=("乙分局",)),
        ("甲分局", "乙分局", "丙分局"))
    assert units == ["甲分局", "乙分局", "丙分局"]
    copies = {name: casework.unit_history(name)[-1] for name in units}
    assert all(isinstance(c, NoticeIssued) for c in copies.values())
    assert len({c.broadcast for c in copies.values() if isinstance(c, NoticeIssued)}) == 1
    assert [(name, c.number, c.response_required, c.due) for name, c in copies.items()
            if isinstance(c, NoticeIssued)] == [
        ("甲分局", 1, False, None), ("乙分局", 2, True, date(2023, 3, 25)),
        ("丙分局", 1, False, None)]
    with pytest.raises(NoResponseOwedError):
        casework.handle_notice(RespondToNotice(unit="甲分局", actor="甲分局 张三",
                                               notice=Notice.CIRCULAR, number=1, response="收到"))
    casework.handle_notice(MarkNoticeRead(unit="甲分局", actor="甲分局 张三",
                                          notice=Notice.CIRCULAR, number=1))
    with pytest.raises(AlreadyReadError):
        casework.handle_notice(MarkNoticeRead(unit="甲分局", actor="甲分局 李四",
                                              notice=Notice.CIRCULAR, number=1))
    assert [n.number for n in casework.get_unit("乙分局").notices.waiting()] == [1, 2]
    assert casework.get_unit("甲分局").notices.waiting() == []


def test_a_circular_to_all_units_names_only_campaign_units_and_orders_need_a_target() -> None:
    casework = Casework()
    with pytest.raises(NotACampaignUnitError) as refused:
        casework.circulate_to_all(IssueNotice(actor=SUPERVISOR, notice=Notice.CIRCULAR,
                                              reason="通报", responders=("丁分局",)),
                                  ("甲分局", "乙分局"))
    assert "丁分局" in refused.value.zh
    assert casework.position() == 0
    with pytest.raises(ValueError, match="只有通报可以发给全体单位"):
        IssueNotice(actor=SUPERVISOR, notice=Notice.ORDER, reason="督办")
    with pytest.raises(ValueError, match="须指明回复单位"):
        IssueNotice(actor=SUPERVISOR, notice=Notice.CIRCULAR, reason="通报",
                    due=date(2023, 3, 25))


def test_an_order_names_at_least_one_of_the_notices_triggers_a_circular_may_not() -> None:
    problem = a_rectifying_problem()
    with pytest.raises(TriggerRequiredError) as refused:
        problem.issue_notice(an_act(), Notice.ORDER, "进展缓慢", None)
    assert "查找问题不深入不具体、整治工作推进迟缓、敷衍塞责、拒不整改" in refused.value.zh
    assert problem.collect_events() == []
    problem.issue_notice(an_act(), Notice.CIRCULAR, "情况通报", None)
    problem.issue_notice(an_act(), Notice.ORDER, "拒不整改", None, (Trigger.REFUSING,))
    assert [getattr(r.fact, "number", None) for r in problem.collect_events()] == [1, 1]
