"""A unit's filled ledger keeps every column on import, and a ledger rectify exported imports
back to the same rows (against a real ``rectify up``)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from services.intake.spreadsheet import LedgerRow, read_ledger
from tests.intake.conftest import Rectify

pytestmark = pytest.mark.integration

UNIT = "济水分局"
HEADER = ["序号", "执法问题", "执法案例", "整改措施", "整改时限", "责任部门", "责任领导", "备注"]
ONE_CELL_HEADER = ("填报单位：济水分局    填报人：王五    电话：0391-6612345    "
                   "填报时间：2023年3月4日")


def a_filled_ledger(path: Path) -> Path:
    """The template as a unit fills it: the header line in one cell, the four determinations
    filled in for one problem, partly for another, not at all for the third."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["行政执法突出问题整改台账"])
    sheet.append([ONE_CELL_HEADER])
    sheet.append(HEADER)
    sheet.append([1, "执法文书引用条款错误", "某决定书引用已废止条款", "逐案复查，重新制作文书",
                  "2023-03-31", "法制股", "赵局长", "立行立改"])
    sheet.append([2, "案卷归档不及时", "2022年案卷30卷未归档", "限期归档", "长期坚持", None, None])
    sheet.append([3, "执法人员态度生硬", "群众反映窗口人员态度生硬"])
    book.save(path)
    return path


def cli_json(rectify: Rectify, *args: str) -> Any:
    done = rectify.process.cli(*args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def exported(rectify: Rectify, path: Path, wanted: int, timeout: float = 180.0) -> Path:
    """The unit's ledger as rectify exports it, once the read side shows ``wanted`` proposals."""
    deadline = time.monotonic() + timeout
    while True:
        done = rectify.process.cli("ledger", "--unit", UNIT, "--format", "xlsx", "--output",
                                   str(path))
        if done.returncode == 0:
            rows = read_ledger(path).sheets[0].rows
            if sum(1 for r in rows if r.measures) >= wanted:
                return path
        assert time.monotonic() < deadline, f"the ledger did not catch up: {done.stderr}"
        time.sleep(0.2)


def filled(row: LedgerRow) -> tuple[str, ...]:
    return (row.problem, row.case, row.measures, row.deadline, row.department, row.leader)


def test_a_filled_ledger_keeps_its_columns_and_an_exported_one_imports_back_to_the_same_rows(
        rectify: Rectify, tmp_path: Path) -> None:
    original = a_filled_ledger(tmp_path / "济水分局台账.xlsx")
    first = cli_json(rectify, "import", str(original), "--unit", UNIT)
    assert [i["proposal"] for i in first["problems"]] == ["proposed", "proposed", None]
    history = rectify.history(first["problems"][0]["problem_id"])
    proposal = history[-1]
    assert proposal["type"] == "RectificationProposed"
    assert (proposal["proposed_by"], proposal["actor"], proposal["plan"]) == (
        "王五", "测试员", "immediate")
    assert (proposal["measures"], proposal["deadline"], proposal["department"],
            proposal["leader"]) == ("逐案复查，重新制作文书", "2023-03-31", "法制股", "赵局长")
    second = rectify.history(first["problems"][1]["problem_id"])[-1]
    assert (second["deadline"], second["deadline_as_written"]) == (None, "长期坚持")

    back = read_ledger(exported(rectify, tmp_path / "exported.xlsx", wanted=2))

    [sheet] = back.sheets
    assert (sheet.unit, sheet.filed_by, sheet.phone, sheet.filed_on) == (
        UNIT, "王五", "0391-6612345", read_ledger(original).sheets[0].filed_on)
    as_filled = read_ledger(original).sheets[0].rows
    assert [filled(r) for r in sheet.rows] == [filled(r) for r in as_filled]
    assert all("四定待确认" in r.remarks for r in sheet.rows[:2])
    again = cli_json(rectify, "import", str(tmp_path / "exported.xlsx"), "--unit", UNIT)
    assert [(i["new"], i["proposal"]) for i in again["problems"]] == [
        (False, "on_record"), (False, "on_record"), (False, None)]
    assert [i["problem_id"] for i in again["problems"]] == [
        i["problem_id"] for i in first["problems"]]


def test_a_header_in_one_cell_and_in_four_cells_read_the_same(tmp_path: Path) -> None:
    one = a_filled_ledger(tmp_path / "one.xlsx")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["行政执法突出问题整改台账"])
    sheet.append(["填报单位：济水分局", "填报人：王五", "电话：0391-6612345",
                  "填报时间：2023-03-04"])
    sheet.append(HEADER)
    book.save(tmp_path / "four.xlsx")
    read = [read_ledger(path).sheets[0] for path in (one, tmp_path / "four.xlsx")]
    assert [(s.unit, s.filed_by, s.phone, s.filed_on) for s in read] == [
        (UNIT, "王五", "0391-6612345", read[0].filed_on)] * 2
    assert read[0].filed_on is not None
    assert read[0].filed_on.isoformat() == "2023-03-04"
