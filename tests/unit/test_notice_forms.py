"""The console's one notice form read as the commands of the one notice family."""

from __future__ import annotations

from uuid import uuid4

import pytest
from starlette.datastructures import FormData

from events.notice_commands import IssueNotice, MarkNoticeRead
from events.vocabulary import Notice, Trigger
from services.console.actions import ActionRefusedError
from services.console.notice_forms import issue_command, read_command

OFFICE = "法规与科技标准科 王科长"


def test_a_circular_to_all_units_names_its_responders_and_triggers() -> None:
    form = FormData([("target", "all"), ("notice", "circular"), ("reason", "共性问题通报"),
                     ("trigger", "shallow"), ("trigger", "slow"), ("due", "2026年12月25日"),
                     ("responders_text", "沁园分局、玉泉分局\n沁园分局")])
    command = issue_command(form, OFFICE)
    assert isinstance(command, IssueNotice)
    assert command.to_all_units
    assert command.responders == ("沁园分局", "玉泉分局")
    assert command.triggers == (Trigger.SHALLOW, Trigger.SLOW)


def test_an_order_needs_a_target_and_a_problem_form_needs_its_problem() -> None:
    with pytest.raises(ActionRefusedError) as to_all:
        issue_command(FormData([("target", "all"), ("notice", "order"), ("reason", "督办")]),
                      OFFICE)
    assert "只有通报可以发给全体单位" in to_all.value.zh
    with pytest.raises(ActionRefusedError) as no_problem:
        issue_command(FormData([("target", "problem"), ("notice", "circular"),
                                ("reason", "通报")]), OFFICE)
    assert no_problem.value.zh == "缺少问题编号"
    with pytest.raises(ActionRefusedError) as bad_date:
        issue_command(FormData([("target", "unit"), ("unit", "沁园分局"), ("notice", "order"),
                                ("reason", "督办"), ("due", "下周")]), OFFICE)
    assert "回复期限无法识别：下周" in bad_date.value.zh


def test_a_read_names_its_notice_on_a_problem() -> None:
    problem = uuid4()
    command = read_command(FormData([("problem_id", str(problem)), ("notice", "order"),
                                     ("number", "2")]), "沁园分局 张三")
    assert isinstance(command, MarkNoticeRead)
    assert (command.problem_id, command.notice, command.number) == (problem, Notice.ORDER, 2)
