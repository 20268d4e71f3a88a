"""The rectification ledger (整改台账) as a unit sends it: rows, 序号, remarks, header."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from events.vocabulary import Channel, Filing, ProblemStatus, Via
from projections.models.ledger import COLUMNS, ROW_KEYS, UnitLedger, read_ledger
from services.casework.problem import Act
from tests.projections.stories import STAFF, Story, day
from tests.projections.streams import applied


def ledger_after(story: Story, path: Path, today: date) -> list[UnitLedger]:
    return read_ledger(applied(story.events, path), today)


def a_spring_of_rectification() -> Story:
    """Four problems of the first branch bureau and one of the detachment, in February–March."""
    story = Story()
    fixed_on_the_spot = story.report(on=0, problem="执法文书未载明救济途径")
    story.assign(fixed_on_the_spot, on=1, deadline=date(2023, 2, 28), immediate=True)
    story.close(story.verify(story.fix(fixed_on_the_spot, on=2), on=3), on=3)
    late = story.report(on=1, problem="案件超期未结")
    story.assign(late, on=2, deadline=date(2023, 3, 1))
    story.supervise(late, on=10)
    extended = story.report(on=2, channel=Channel.HOTLINE, problem="多头检查")
    story.assign(extended, on=3, deadline=date(2023, 3, 5))
    story.extend(extended, on=4, deadline=date(2023, 3, 31))
    reopened = story.report(on=3, problem="执法记录仪未开启")
    story.assign(reopened, on=4, deadline=date(2023, 3, 20))
    story.close(story.verify(story.fix(reopened, on=5), on=6), on=6)
    story.reopen(reopened, on=12)
    story.report(on=4, unit="执法支队", filed_by="支队 周七", problem="案卷归档不及时")
    return story


def test_a_units_ledger_lists_its_problems_in_reporting_order_with_the_remarks_a_reader_needs(
    tmp_path: Path
) -> None:
    first, detachment = ledger_after(
        a_spring_of_rectification(), tmp_path / "read.db", date(2023, 3, 10)
    )

    assert [row.no for row in first.rows] == [1, 2, 3, 4]
    assert [row.remarks for row in first.rows] == [
        "已销号；立行立改",
        "整改中；超期；督办",
        "整改中；已延期",
        "整改中；已重新打开",
    ]
    assert first.rows[1].cells() == (
        "2", "案件超期未结", "某化工企业2月份接受检查三次，内容重复", "统筹制定年度检查计划",
        "2023-03-01", "法制科", "赵局长", "整改中；超期；督办",
    )
    assert [row.no for row in detachment.rows] == [1]
    assert detachment.rows[0].remarks == "已登记"
    assert len(COLUMNS) == 8


def test_the_ledger_header_names_the_first_self_inspection_filer_until_the_unit_files(
    tmp_path: Path
) -> None:
    story = a_spring_of_rectification()
    unit = story.unit("执法支队")
    unit.submit_filing(Act("支队 周七", Via.CLI, day(14)), Filing.LEDGER, "0391-6600001",
                       filed_by="支队 吴八", filed_on=date(2023, 3, 5))
    story.kept(unit)
    first, detachment = ledger_after(story, tmp_path / "read.db", date(2023, 3, 10))

    assert (first.header.unit, first.header.filed_by, first.header.phone) == ("第一分局", STAFF, "")
    assert first.header.filed_on is None  # 填报时间 is the filing's date: not filed yet
    assert (detachment.header.filed_by, detachment.header.phone) == ("支队 吴八", "0391-6600001")
    assert detachment.header.filed_on == date(2023, 3, 5)  # as dated, not the day recorded


def test_before_the_deadline_nothing_is_overdue_and_rows_serialise_with_the_agreed_keys(
    tmp_path: Path
) -> None:
    first, _ = ledger_after(
        a_spring_of_rectification(), tmp_path / "read.db", date(2023, 2, 28)
    )

    assert "超期" not in first.rows[1].remarks
    row = first.rows[1].as_dict()
    assert tuple(row) == ROW_KEYS
    assert (row["status"], row["unit"], row["deadline"]) == (
        ProblemStatus.RECTIFYING.value, "第一分局", "2023-03-01")
