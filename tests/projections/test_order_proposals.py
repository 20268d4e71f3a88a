"""督办建议 on the board: each proposal names the notice's trigger, and an order made from it (or
one already owed) takes it off the board."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from events.identity import warning_id_for
from events.vocabulary import Filing, Notice, Trigger, TypicalReason, Via
from projections.models.board import read_board
from services.casework.problem import Act
from tests.projections.stories import SECTION, Story, day
from tests.projections.streams import applied

TODAY = date(2023, 3, 20)


def a_campaign_with_every_cause() -> Story:
    story = Story()
    late = story.report(on=0, problem="超期未整改")
    story.assign(late, on=1, deadline=date(2023, 3, 10))
    ordered = story.report(on=0, problem="已督办的超期问题")
    story.assign(ordered, on=1, deadline=date(2023, 3, 10))
    story.order(ordered, on=12, due=date(2023, 3, 25))
    twice = story.report(on=0, problem="两次退回的问题")
    story.assign(twice, on=1, deadline=date(2023, 4, 10))
    for on in (2, 4):
        story.send_back(story.fix(twice, on=on), on=on + 1)
    stalled = story.report(on=0, problem="停滞的典型案件")
    stalled.triage(Act(SECTION, Via.CLI, day(1)), None, "监管缺位", True,
                   typical_reasons=(TypicalReason.VITAL_INTERESTS,))
    story.kept_problem(stalled)
    missing = story.unit("执法支队")
    due = date(2023, 3, 5)
    missing.flag_filing_overdue(Act("watchdog", Via.SYSTEM, day(12)),
                                warning_id_for(missing.id, "ledger", due, "red"),
                                Filing.LEDGER, due)
    story.kept(missing)
    story.report(on=3, unit="第三分局", problem="只报了一个问题")
    thin = story.unit("第三分局")
    thin.submit_filing(Act("第三分局 填报人", Via.CLI, day(8)), Filing.LEDGER, None)
    story.kept(thin)
    return story


def test_the_board_proposes_an_order_for_each_cause_naming_the_notices_trigger(
        tmp_path: Path) -> None:
    story = a_campaign_with_every_cause()
    store = applied(story.events, tmp_path / "r.db")

    board = read_board(store, TODAY, typical_stall_days=10)

    proposed = {(p.cause, p.unit, p.trigger) for p in board.proposals}
    assert proposed == {
        ("red_warning", "第一分局", Trigger.SLOW),
        ("sent_back", "第一分局", Trigger.PERFUNCTORY),
        ("typical_stalled", "第一分局", Trigger.SLOW),
        ("late_filing", "执法支队", Trigger.SLOW),
        ("shallow_ledger", "第三分局", Trigger.SHALLOW),
    }
    by_cause = {p.cause: p for p in board.proposals}
    assert by_cause["red_warning"].reason == "红色预警：已超过整改时限：超期未整改（超期 10 天）"
    assert by_cause["sent_back"].reason.endswith("两次退回的问题（已退回 2 次）")
    assert by_cause["shallow_ledger"].key == "shallow_ledger:第三分局"
    assert by_cause["late_filing"].problem_id == ""
    assert "已督办的超期问题" not in " ".join(p.reason for p in board.proposals)


def test_an_order_made_from_a_proposal_takes_it_off_the_board(tmp_path: Path) -> None:
    story = a_campaign_with_every_cause()
    first = applied(story.events, tmp_path / "before.db")
    [proposal] = [p for p in read_board(first, TODAY).proposals if p.cause == "shallow_ledger"]
    unit = story.unit(proposal.unit)
    unit.issue_notice(Act(SECTION, Via.WEB, day(25)), Notice.ORDER, proposal.reason, None,
                      (proposal.trigger,))
    story.kept(unit)

    after = applied(story.events, tmp_path / "after.db")

    assert "shallow_ledger" not in {p.cause for p in read_board(after, TODAY).proposals}
