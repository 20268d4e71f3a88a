"""Supervision on the read side: orders, circulars, responses, warnings, filings and rebounds in
the ledger's 备注, the trail and the board."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from events.identity import warning_id_for
from events.vocabulary import (
    Channel,
    Filing,
    Notice,
    ProblemStatus,
    Satisfaction,
    Trigger,
    TypicalReason,
    Via,
    WarningLevel,
    Watched,
)
from projections.models.board import read_board
from projections.models.ledger import read_ledger
from projections.models.supervision import read_notices
from projections.models.trail import accountability, actions_of
from services.casework.problem import Act
from tests.projections.stories import SECTION, STAFF, Story, day
from tests.projections.streams import applied

TODAY = date(2023, 3, 20)


def pressed_units() -> Story:
    """第一分局 ordered, circulated and late to respond; 第二分局 ordered as a whole."""
    story = Story()
    slow = story.report(on=0)
    story.assign(slow, on=1, deadline=date(2023, 3, 10))
    story.order(slow, on=2, due=date(2023, 3, 1))
    story.circulate(slow, on=3, due=date(2023, 3, 5))
    story.respond(slow, on=4, notice=Notice.ORDER, number=1)
    story.response_overdue(slow, on=12, notice=Notice.CIRCULAR, number=1)
    story.warn(slow, on=14, level=WarningLevel.RED, due=date(2023, 3, 10))
    second = story.unit("第二分局")
    second.issue_notice(Act(SECTION, Via.CLI, day(5)), Notice.ORDER, "自查流于形式",
                        date(2023, 3, 8), (Trigger.SHALLOW,))
    second.issue_notice(Act(SECTION, Via.CLI, day(6)), Notice.CIRCULAR, "零报告", None)
    second.respond(Act("第二分局 陈六", Via.CLI, day(7)), Notice.ORDER, 1, "已重新自查")
    second.submit_filing(Act("第二分局 陈六", Via.CLI, day(8)), Filing.LEDGER, "0371-666")
    story.kept(second)
    return story


def test_orders_circulars_and_a_missed_response_date_show_in_the_ledger_and_the_trail(
    tmp_path: Path
) -> None:
    store = applied(pressed_units().events, tmp_path / "r.db")

    first, second = read_ledger(store, TODAY)
    assert first.rows[0].remarks == "整改中；超期（红色预警）；督办；通报；督办逾期未回复"
    assert second.rows == ()
    assert (second.header.filed_by, second.header.phone) == ("第二分局 陈六", "0371-666")
    assert [n.text() for n in second.notices] == [
        "督办第1号（2023-02-27 下发，2023-03-08 前回复）：自查流于形式。已回复：已重新自查",
        "通报第1号（2023-02-28 下发）：零报告。待回复",
    ]
    by_unit = {a.who: a for a in accountability(store, "unit", TODAY)}
    assert (by_unit["第一分局"].supervision_orders, by_unit["第一分局"].circulars,
            by_unit["第一分局"].responses_overdue) == (1, 1, 1)
    assert (by_unit["第二分局"].supervision_orders, by_unit["第二分局"].circulars) == (1, 1)
    leader = accountability(store, "leader", TODAY)[0]
    assert (leader.supervision_orders, leader.circulars) == (1, 1)
    assert [a.type for a in actions_of(store, "第二分局 陈六")] == [
        "NoticeResponded", "FilingSubmitted"]
    assert [(n.notice, n.number, n.response_overdue, n.responded_at is not None)
            for n in read_notices(store, "第一分局")] == [
        (Notice.ORDER, 1, False, True), (Notice.CIRCULAR, 1, True, False)]
    assert [a.type for a in actions_of(store, STAFF)] == ["ProblemReported", "NoticeResponded"]


def a_board_full_of_work() -> Story:
    """One problem of each colour, a stale blue warning, open notices, a late ledger, a rebound."""
    story = Story()
    red = story.report(on=0)
    story.assign(red, on=1, deadline=date(2023, 3, 10))
    yellow = story.report(on=1, problem="案卷归档不及时")
    story.assign(yellow, on=2, deadline=date(2023, 4, 1))
    story.warn(yellow, on=20, level=WarningLevel.YELLOW, due=date(2023, 3, 12),
               watched=Watched.MILESTONE)
    blue = story.report(on=2, problem="处罚裁量不统一")
    story.assign(blue, on=3, deadline=date(2023, 3, 24))
    story.warn(blue, on=24, level=WarningLevel.BLUE, due=date(2023, 3, 24))
    extended = story.report(on=3, problem="检查记录不全")
    story.assign(extended, on=4, deadline=date(2023, 3, 22))
    story.warn(extended, on=23, level=WarningLevel.BLUE, due=date(2023, 3, 22))
    story.extend(extended, on=24, deadline=date(2023, 4, 30))  # the warning no longer stands
    story.order(red, on=10, due=date(2023, 3, 15))
    story.circulate(blue, on=11, due=date(2023, 3, 25))
    closed = story.report(on=0, unit="第二分局", problem="一刀切停产")
    story.assign(closed, on=1, deadline=date(2023, 3, 31))
    story.close(story.verify(story.fix(closed, on=2), on=3), on=3)
    again = story.report(on=20, unit="第二分局", channel=Channel.HOTLINE, problem="一刀切停产")
    story.rebound(again, on=20, closed=closed, closed_on=date(2023, 2, 25))
    refused = story.report(on=4, channel=Channel.WECHAT, problem="执法人员态度粗暴")
    story.undeliverable(story.answer(refused, on=5), on=5)
    retried = story.report(on=4, channel=Channel.WECHAT, problem="多头检查")
    story.undeliverable(story.answer(retried, on=5), on=5)
    story.delivered(story.answer(retried, on=6, channel=Channel.HOTLINE), on=6)
    late = story.unit("执法支队")
    due = date(2023, 3, 5)
    late.flag_filing_overdue(Act("watchdog", Via.SYSTEM, day(12)),
                             warning_id_for(late.id, "ledger", due, "red"), Filing.LEDGER, due)
    story.kept(late)
    return story


def test_the_board_shows_colours_open_notices_late_filings_rebounds_and_what_units_reported(
    tmp_path: Path
) -> None:
    story = a_board_full_of_work()
    store = applied(story.events, tmp_path / "r.db")

    board = read_board(store, date(2023, 3, 20))

    assert [(i.problem, i.days) for i in board.overdue] == [
        ("同一企业一个月内被三个科室分别检查", 10)]
    assert [i.problem for i in board.behind] == ["案卷归档不及时"]
    assert [i.problem for i in board.approaching] == ["处罚裁量不统一"]
    assert [(n.notice, n.due) for n in board.open_notices] == [
        (Notice.ORDER, date(2023, 3, 15)), (Notice.CIRCULAR, date(2023, 3, 25))]
    assert board.open_notices[0].late(date(2023, 3, 20))
    assert [(f.unit, f.filing, f.due) for f in board.late_filings] == [
        ("执法支队", Filing.LEDGER, date(2023, 3, 5))]
    assert [(r.unit, r.days_since_closed) for r in board.rebounds] == [("第二分局", 17)]
    assert [(u.code, u.reason) for u in board.undelivered] == [("wechat_45015", "超过回复时限")]
    remarks = {row.problem: row.remarks for unit in read_ledger(store, date(2023, 3, 20))
               for row in unit.rows}
    assert remarks["处罚裁量不统一"] == "整改中；临期（蓝色预警）；通报"
    assert remarks["案卷归档不及时"] == "整改中；进度滞后（黄色预警）"
    assert remarks["检查记录不全"] == "整改中；已延期"  # the extension cleared the warning
    assert {(r.unit, r.self_inspection, r.public) for r in board.reports} == {
        ("第一分局", 4, 2), ("第二分局", 1, 1)}


def test_the_board_warns_of_answers_past_the_time_limit_and_of_dissatisfied_reporters(
    tmp_path: Path
) -> None:
    story = Story()
    waiting = story.report(on=0, channel=Channel.HOTLINE, problem="无人答复的举报")
    replied = story.report(on=0, channel=Channel.WEBSITE, problem="已作进展答复的举报")
    story.answer(replied, on=2)  # a progress reply meets the time limit
    recent = story.report(on=24, channel=Channel.WECHAT, problem="新近的举报")
    unhappy = story.report(on=0, channel=Channel.MAILBOX, problem="结果不满意的举报")
    story.assign(unhappy, on=1, deadline=date(2023, 3, 10), immediate=True)
    story.fix(unhappy, on=2)
    story.verify(unhappy, on=3)
    story.answer(unhappy, on=3)
    unhappy.record_satisfaction(Act(SECTION, Via.CLI, day(4)), Satisfaction.DISSATISFIED, "没改")
    story.kept_problem(unhappy)
    store = applied(story.events, tmp_path / "r.db")

    board = read_board(store, TODAY, answer_due=lambda reported: reported + timedelta(days=21))

    assert [i.problem for i in board.unanswered] == ["无人答复的举报", "新近的举报"]
    assert [(i.problem, i.since) for i in board.answers_late] == [
        ("无人答复的举报", date(2023, 3, 15))]
    assert [i.problem for i in board.dissatisfied] == ["结果不满意的举报"]
    assert [waiting.status, recent.status] == [ProblemStatus.REPORTED] * 2


def test_after_the_rectification_phase_the_board_lists_open_problems_without_a_roadmap(
    tmp_path: Path
) -> None:
    story = Story()
    story.assign(story.report(on=0, problem="路线图上的问题"), on=1, deadline=date(2023, 6, 30))
    story.assign(story.report(on=0, problem="立行立改未完成"), on=1, deadline=date(2023, 4, 10),
                 immediate=True)
    story.report(on=0, problem="从未交办")
    done = story.assign(story.report(on=0, problem="已销号"), on=1, deadline=date(2023, 3, 1),
                        immediate=True)
    story.close(story.verify(story.fix(done, on=2), on=3), on=4)
    store = applied(story.events, tmp_path / "r.db")
    phase_end = date(2023, 4, 10)

    during = read_board(store, phase_end, rectification_end=phase_end)
    after = read_board(store, date(2023, 4, 11), rectification_end=phase_end)

    assert during.without_roadmap == ()
    assert [(i.problem, i.since) for i in after.without_roadmap] == [
        ("立行立改未完成", phase_end), ("从未交办", phase_end)]


def test_a_typical_case_nobody_acted_on_is_proposed_for_a_supervision_order(
    tmp_path: Path
) -> None:
    story = Story()
    stalled = story.report(on=0, problem="停滞的典型案件")
    moving = story.report(on=0, problem="推进中的典型案件")
    for problem in (stalled, moving):
        problem.triage(Act(SECTION, Via.CLI, day(1)), None, "监管缺位", True,
                       typical_reasons=(TypicalReason.VITAL_INTERESTS,))
        story.kept_problem(problem)
    story.assign(story.report(on=0, problem="普通问题"), on=1, deadline=date(2023, 4, 10))
    moving.assign(Act(SECTION, Via.CLI, day(20)), "赵局长", "法制科", "约谈企业",
                  date(2023, 4, 10), immediate=True, milestones=())
    story.kept_problem(moving)
    store = applied(story.events, tmp_path / "r.db")

    board = read_board(store, TODAY, typical_stall_days=10)

    assert [(i.problem, i.since) for i in board.typical_stalled] == [
        ("停滞的典型案件", date(2023, 2, 23))]
    remarks = {row.problem: row.remarks for unit in read_ledger(store, TODAY)
               for row in unit.rows}
    assert remarks["停滞的典型案件"] == "已研判；典型案例"
