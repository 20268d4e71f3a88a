"""件件有回音: progress replies, one outcome answer per report, deliveries and satisfaction."""

from __future__ import annotations

import json

import pytest

from events.lifecycle import (
    AnswerDelivered,
    AnswerDeliveryFailed,
    ProblemReopened,
    Reporter,
    ReporterAnswered,
    SatisfactionRecorded,
    parse_event,
)
from events.vocabulary import AnswerRoute, Channel, ProblemStatus, Satisfaction, Via
from services.casework.errors import (
    AlreadyAnsweredError,
    AlreadyDeliveredError,
    AnswerNotFoundError,
    NoReporterError,
    ReporterNotAnsweredError,
    SatisfactionError,
)
from services.casework.problem import Act, Problem
from tests.builders import SUPERVISOR, UNIT_STAFF, a_problem_in, a_submission, an_act, bring_to

DELIVERY = "系统答复"


def a_delivery_act() -> Act:
    return an_act(DELIVERY, days_after_report=37, via=Via.SYSTEM)


def answered(channel: Channel = Channel.MAILBOX) -> tuple[Problem, int]:
    """A verified problem whose reporter was just told the outcome; and the answer's version."""
    problem = a_problem_in(ProblemStatus.FIX_SUBMITTED, channel=channel)
    problem.verify_fix(an_act(SUPERVISOR, days_after_report=35))
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=36), "已整改完毕", None)
    problem.collect_events()
    return problem, problem.version


def test_a_second_answer_is_refused_saying_when_the_first_was_given() -> None:
    problem, _ = answered()
    with pytest.raises(AlreadyAnsweredError) as refused:
        problem.answer_reporter(an_act(SUPERVISOR, days_after_report=5), "再答复一次", None)
    assert "已于 2023-03-30 答复举报人" in refused.value.zh
    assert "answered on 2023-03-30" in refused.value.en
    assert problem.collect_events() == []


def test_a_reopened_problem_may_be_answered_again() -> None:
    problem = a_problem_in(ProblemStatus.CLOSED, channel=Channel.WECHAT)
    with pytest.raises(AlreadyAnsweredError):
        problem.answer_reporter(an_act(SUPERVISOR, days_after_report=40), "再次答复", None)
    problem.reopen(an_act(SUPERVISOR, days_after_report=40), "群众再次反映")
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=41), "已重新整改", None)
    assert type(problem.collect_events()[-1].fact) is ReporterAnswered


def test_an_answer_that_could_not_be_delivered_may_be_given_again_by_another_channel() -> None:
    problem, version = answered(Channel.WECHAT)
    problem.record_delivery_failure(a_delivery_act(), version, AnswerRoute.WECHAT,
                                    "wechat_45015", "已超过回复时限", "response out of time limit")
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=4), "已责成整改",
                            Channel.HOTLINE)
    [failed, again] = [r.fact for r in problem.collect_events()]
    assert isinstance(failed, AnswerDeliveryFailed)
    assert (failed.channel, failed.code, failed.reason_en) == (
        Channel.WECHAT, "wechat_45015", "response out of time limit")
    assert isinstance(again, ReporterAnswered)
    assert again.channel is Channel.HOTLINE


def test_each_answer_is_delivered_once_and_the_second_delivery_is_refused() -> None:
    problem, version = answered()
    problem.record_delivery(a_delivery_act(), version, AnswerRoute.MAIL, "<answer-1@hb.gov.cn>")
    with pytest.raises(AlreadyDeliveredError) as refused:
        problem.record_delivery(a_delivery_act(), version, AnswerRoute.MAIL, "<again@hb.gov.cn>")
    assert "已于 2023-03-31 送达" in refused.value.zh
    with pytest.raises(AlreadyDeliveredError):
        problem.record_delivery_failure(a_delivery_act(), version, AnswerRoute.MAIL,
                                        "smtp_550", "邮箱不存在", "no such mailbox")
    [delivered] = [r.fact for r in problem.collect_events()]
    assert isinstance(delivered, AnswerDelivered)
    assert (delivered.answer_version, delivered.route, delivered.channel) == (
        version, AnswerRoute.MAIL, Channel.MAILBOX)


def test_a_delivery_must_name_an_answer_of_the_problem() -> None:
    problem, version = answered()
    with pytest.raises(AnswerNotFoundError):
        problem.record_delivery(a_delivery_act(), version - 1, AnswerRoute.MAIL, None)


def test_replaying_rebuilds_what_was_answered_and_delivered() -> None:
    problem = bring_to(Problem.report(a_submission(channel=Channel.HOTLINE)),
                       ProblemStatus.FIX_SUBMITTED)
    problem.verify_fix(an_act(SUPERVISOR, days_after_report=35))
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=36), "已整改完毕", None)
    version = problem.version
    problem.record_delivery(a_delivery_act(), version, AnswerRoute.TRACKING_LOOKUP, "R-0000-0001")
    replayed: Problem | None = None
    for recorded in problem.collect_events():
        replayed = recorded.mutate(replayed)
    assert replayed is not None
    with pytest.raises(AlreadyDeliveredError):
        replayed.record_delivery(a_delivery_act(), version, AnswerRoute.MAIL, None)
    with pytest.raises(AlreadyAnsweredError):
        replayed.answer_reporter(an_act(SUPERVISOR, days_after_report=5), "再答复", None)


# ------------------------------------------------------------- outcome answers, satisfaction


def test_an_answer_before_verification_is_a_progress_reply_and_does_not_let_the_problem_close(
) -> None:
    problem = a_problem_in(ProblemStatus.RECTIFYING, channel=Channel.WEBSITE)
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=2), "已收到，正在核查", None)
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=9), "已责成整改", None)
    problem.submit_fix(an_act(UNIT_STAFF, days_after_report=20), "已整改", ())
    problem.verify_fix(an_act(SUPERVISOR, days_after_report=21))

    with pytest.raises(ReporterNotAnsweredError):
        problem.close(an_act(SUPERVISOR, days_after_report=22))

    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=22), "已整改完毕，验收合格", None)
    problem.close(an_act(SUPERVISOR, days_after_report=22))
    answers = [r.fact for r in problem.collect_events() if isinstance(r.fact, ReporterAnswered)]
    assert [a.outcome for a in answers] == [False, False, True]
    assert problem.status is ProblemStatus.CLOSED


def test_a_declined_report_is_answered_with_the_outcome() -> None:
    problem = a_problem_in(ProblemStatus.DECLINED, channel=Channel.HOTLINE)
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=3), "不属于本次整治范围", None)
    [answer] = [r.fact for r in problem.collect_events()]
    assert isinstance(answer, ReporterAnswered)
    assert answer.outcome


def test_an_enterprise_visit_naming_whom_to_answer_is_answered_through_the_desk_or_by_mail(
) -> None:
    named = Reporter(masked_name="李*", masked_phone="138****5678")
    by_desk = a_problem_in(ProblemStatus.VERIFIED, channel=Channel.ENTERPRISE_VISIT,
                           reporter=named, filed_by=UNIT_STAFF)
    with_mail = a_problem_in(ProblemStatus.VERIFIED, channel=Channel.SYMPOSIUM,
                             reporter=named.model_copy(update={"masked_email": "l***@qy.cn"}),
                             filed_by=UNIT_STAFF)
    assert [p.answers.channel_of(p.answers.current or 0) for p in (by_desk, with_mail)] == [
        Channel.HOTLINE, Channel.MAILBOX]
    by_desk.close(an_act(SUPERVISOR, days_after_report=36))
    assert by_desk.status is ProblemStatus.CLOSED


def test_an_enterprise_visit_naming_nobody_has_no_one_to_answer() -> None:
    problem = a_problem_in(ProblemStatus.VERIFIED, channel=Channel.ENTERPRISE_VISIT,
                           reporter=None, filed_by=UNIT_STAFF)
    with pytest.raises(NoReporterError):
        problem.answer_reporter(an_act(SUPERVISOR), "已整改", None)


def test_dissatisfaction_with_the_outcome_reopens_a_closed_problem() -> None:
    problem = a_problem_in(ProblemStatus.CLOSED, channel=Channel.HOTLINE)
    problem.collect_events()
    problem.record_satisfaction(an_act(SUPERVISOR, days_after_report=40),
                                Satisfaction.DISSATISFIED, "噪声依旧")
    rated, reopened = [r.fact for r in problem.collect_events()]
    assert isinstance(rated, SatisfactionRecorded)
    assert rated.satisfaction is Satisfaction.DISSATISFIED
    assert isinstance(reopened, ProblemReopened)
    assert reopened.reason == "举报人对处理结果不满意：噪声依旧"
    assert problem.status is ProblemStatus.RECTIFYING


def test_satisfaction_is_asked_once_per_outcome_answer_and_only_after_one() -> None:
    problem = a_problem_in(ProblemStatus.RECTIFYING, channel=Channel.WECHAT)
    problem.answer_reporter(an_act(SUPERVISOR), "正在整改", None)
    with pytest.raises(SatisfactionError):
        problem.record_satisfaction(an_act(SUPERVISOR), Satisfaction.SATISFIED, None)
    closed = a_problem_in(ProblemStatus.CLOSED, channel=Channel.WECHAT)
    closed.record_satisfaction(an_act(SUPERVISOR, days_after_report=40),
                               Satisfaction.BASICALLY_SATISFIED, None)
    with pytest.raises(SatisfactionError):
        closed.record_satisfaction(an_act(SUPERVISOR, days_after_report=41),
                                   Satisfaction.SATISFIED, None)
    assert closed.status is ProblemStatus.CLOSED


def test_an_answer_recorded_before_outcomes_were_told_apart_reads_as_the_outcome() -> None:
    problem = bring_to(Problem.report(a_submission(channel=Channel.MAILBOX)), ProblemStatus.CLOSED)
    [answer] = [r.fact for r in problem.collect_events() if isinstance(r.fact, ReporterAnswered)]
    recorded_as_version_1 = json.loads(answer.model_dump_json())
    del recorded_as_version_1["outcome"]
    recorded_as_version_1["version"] = 1

    read = parse_event(json.dumps(recorded_as_version_1))

    assert isinstance(read, ReporterAnswered)
    assert (read.version, read.outcome) == (2, True)
