"""件件有回音, one answer per report: the Problem aggregate's rules for answers and deliveries."""

from __future__ import annotations

import pytest

from events.lifecycle import AnswerDelivered, AnswerDeliveryFailed, ReporterAnswered
from events.vocabulary import AnswerRoute, Channel, ProblemStatus, Via
from services.casework.errors import (
    AlreadyAnsweredError,
    AlreadyDeliveredError,
    AnswerNotFoundError,
)
from services.casework.problem import Act, Problem
from tests.builders import SUPERVISOR, a_problem_in, a_submission, an_act, bring_to

DELIVERY = "系统答复"


def a_delivery_act() -> Act:
    return an_act(DELIVERY, days_after_report=3, via=Via.SYSTEM)


def answered(channel: Channel = Channel.MAILBOX) -> tuple[Problem, int]:
    """A problem being rectified whose reporter was just answered; and the answer's version."""
    problem = a_problem_in(ProblemStatus.RECTIFYING, channel=channel)
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=2), "已责成整改", None)
    problem.collect_events()
    return problem, problem.version


def test_a_second_answer_is_refused_saying_when_the_first_was_given() -> None:
    problem, _ = answered()
    with pytest.raises(AlreadyAnsweredError) as refused:
        problem.answer_reporter(an_act(SUPERVISOR, days_after_report=5), "再答复一次", None)
    assert "已于 2023-02-24 答复举报人" in refused.value.zh
    assert "answered on 2023-02-24" in refused.value.en
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
    assert "已于 2023-02-25 送达" in refused.value.zh
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
                       ProblemStatus.RECTIFYING)
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=2), "已责成整改", None)
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
