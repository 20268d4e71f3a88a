"""The spot-check list: zero reporters with public reports first, each entry saying why."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from events.lifecycle import ProblemReported
from events.supervision import SpotCheckSelected
from events.vocabulary import Category, Channel, Via
from services.casework.problem import Act
from services.casework.unit import Unit
from services.supervision.follow import ReportCounts
from services.supervision.spotcheck import UnitReports, random_draw, spot_check_list

UNITS = ("甲分局", "乙分局", "丙分局", "丁分局", "支队")


def test_a_unit_with_no_self_inspection_but_public_reports_ranks_first_and_says_why() -> None:
    reports = [UnitReports("甲分局", self_inspection=6), UnitReports("乙分局", public=3),
               UnitReports("丙分局"), UnitReports("丁分局", self_inspection=1, public=2),
               UnitReports("支队", self_inspection=5, public=1)]
    ranked = spot_check_list(reports, UNITS, low_share=0.5)
    assert [(e.rank, e.unit) for e in ranked] == [(1, "乙分局"), (2, "丙分局"), (3, "丁分局")]
    first = ranked[0]
    assert first.zh == "自查问题零报告，但群众反映了 3 个问题"
    assert first.en == "reported no problems itself, but the public reported 3"
    assert ranked[1].reason("zh") == "自查问题零报告，也没有群众反映"
    assert "少于群众反映的 2 个" in ranked[2].zh


def test_more_public_reports_rank_a_zero_reporter_higher() -> None:
    reports = [UnitReports("甲分局", public=1), UnitReports("乙分局", public=4)]
    assert [e.unit for e in spot_check_list(reports, (), 0.5)] == ["乙分局", "甲分局"]


def test_a_unit_far_below_its_peers_is_listed_with_the_median() -> None:
    reports = [UnitReports(u, self_inspection=n) for u, n in
               [("甲分局", 8), ("乙分局", 10), ("丙分局", 2), ("丁分局", 9), ("支队", 12)]]
    [low] = spot_check_list(reports, UNITS, low_share=0.5)
    assert (low.unit, low.peer_median) == ("丙分局", 9)
    assert low.zh == "自查只发现 2 个问题，明显少于同级单位（中位数 9 个）"


def test_a_campaign_unit_nobody_heard_of_is_a_zero_reporter() -> None:
    ranked = spot_check_list([UnitReports("甲分局", self_inspection=3)], ("甲分局", "乙分局"),
                             0.5)
    assert [(e.unit, e.self_inspection, e.public) for e in ranked] == [("乙分局", 0, 0)]


def test_a_selected_unit_stays_on_the_list_marked_selected() -> None:
    ranked = spot_check_list([UnitReports("乙分局", public=2, selected=True)], (), 0.5)
    assert ranked[0].selected


def test_no_units_no_list() -> None:
    assert spot_check_list([], (), 0.5) == []


def test_a_unit_whose_own_finds_came_from_a_symposium_is_not_a_zero_reporter() -> None:
    own = ReportCounts()
    for n, channel in enumerate((Channel.SYMPOSIUM, Channel.ENTERPRISE_VISIT, Channel.HOTLINE)):
        own._apply(ProblemReported(
            problem_id=uuid4(), unit="甲分局", actor="甲分局 填报人",
            occurred_at=datetime(2023, 3, 1, tzinfo=UTC), via=Via.CLI, channel=channel,
            intake_id=f"own-{n}", category=Category.PROCEDURE, problem="问题", case="案例"))
    [reports] = own.reports()
    assert (reports.self_inspection, reports.public) == (2, 1)
    listed = spot_check_list([reports], ("甲分局", "乙分局"), 0.5)
    assert [e.unit for e in listed] == ["乙分局"]


def test_a_unit_the_public_complains_of_strongly_is_listed_though_it_found_enough_itself(
) -> None:
    reports = [UnitReports("甲分局", self_inspection=6, public=4),
               UnitReports("乙分局", self_inspection=6, public=1)]
    [strong] = spot_check_list(reports, (), 0.5, strong_public=3)
    assert (strong.unit, strong.zh) == ("甲分局", "群众反映较为强烈：群众反映了 4 个问题")


def test_a_random_draw_with_the_same_seed_selects_the_same_units() -> None:
    first = random_draw(UNITS, 2, seed=20230321)
    again = random_draw(reversed(UNITS), 2, seed=20230321)
    assert first == again
    assert len(first) == 2
    assert set(first) <= set(UNITS)
    assert {tuple(random_draw(UNITS, 2, seed)) for seed in range(20)} != {tuple(first)}
    assert random_draw(UNITS, 9, seed=1) == sorted(UNITS)


def test_a_unit_drawn_at_random_records_the_seed() -> None:
    unit = Unit("乙分局")
    unit.select_for_spot_check(Act("法规科", Via.CLI, datetime(2023, 3, 21, tzinfo=UTC)),
                               "随机抽查（种子 7）", seed=7)
    [selected] = [r.fact for r in unit.collect_events()]
    assert isinstance(selected, SpotCheckSelected)
    assert selected.seed == 7
    old = selected.model_dump(mode="json", exclude={"seed"}) | {"version": 1}
    assert SpotCheckSelected.model_validate(old).seed is None
