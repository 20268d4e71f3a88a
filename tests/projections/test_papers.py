"""The papers a bureau files: a ledger whose rows show all their text, exports that survive a
unit name full of control characters, and a summary document whose figures are the JSON's."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

from events.vocabulary import Category, Channel, PlanKind, ProblemStatus
from projections.exports.outgoing import ExportError, checked_package
from projections.exports.summary_export import to_xlsx as summary_to_xlsx
from projections.exports.templates.build_summary_template import TEMPLATE, build
from projections.exports.workbook import to_xlsx
from projections.models.summary import Summary, UnitSummary
from services.runtime.config import SEAL_KEY_ENV
from services.runtime.nats_server import EmbeddedNats
from tests.projections.papers import (
    HOSTILE_UNIT,
    MECHANISM,
    PLAN,
    SHOWN_HOSTILE_UNIT,
    TYPICAL_CAUSE,
    TYPICAL_PROBLEM,
    a_campaign_worth_printing,
    a_long_ledger,
)
from tests.projections.streams import TEST_SEAL_KEY, projected

RECTIFY = [sys.executable, "-m", "services.cli"]
AS_OF = "2023-04-18"
FIGURE_LABELS = {"问题总数": "reported", "应整改": "to_rectify", "已销号": "closed",
                 "按期销号": "closed_on_time", "当前超期": "overdue", "重新打开": "reopened",
                 "督办": "orders", "通报": "circulars", "群众举报": "public_reports",
                 "已答复": "answered", "满意": "satisfied", "基本满意": "basically_satisfied",
                 "不满意": "dissatisfied"}


# --- the ledger's rows, measured here without the export's own measuring code ---------------

def shown(cell: Cell) -> str:
    """The text a reader sees in the cell: dates as the number format writes them."""
    if isinstance(cell.value, datetime):
        return f"{cell.value.year}年{cell.value.month}月{cell.value.day}日"
    return "" if cell.value is None else str(cell.value)


def lines_needed(text: str, column_width: float, points: float) -> int:
    """Wrapped lines, character by character: full-width glyphs are one em, others half."""
    available = column_width * 7 - 5  # pixels: 7 to a width unit, less the cell's padding
    em = points * 96 / 72
    lines, used = 1, 0.0
    for char in text:
        wide = unicodedata.east_asian_width(char) in "WFA"
        advance = em if wide else em / 2
        if used + advance > available:
            lines, used = lines + 1, 0.0
        used += advance
    return lines


def test_each_ledger_row_is_tall_enough_for_the_longest_wrapped_text_in_it() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx([a_long_ledger()])))["第一分局"]

    heights = []
    for number in range(4, 12):
        cells = [cell for cell in sheet[number] if isinstance(cell, Cell)]
        assert all(cell.font.sz >= 10.5 for cell in cells)  # readable on paper
        needed = max(lines_needed(shown(cell), sheet.column_dimensions[cell.column_letter].width,
                                  cell.font.sz) * cell.font.sz * 1.2 for cell in cells)
        height = sheet.row_dimensions[number].height
        assert height is not None
        assert height >= needed, f"row {number}: {height} pt < {needed} pt"
        heights.append(height)
    assert len(set(heights)) > 1  # measured row by row, not one height for all
    assert isinstance(sheet["E4"].value, datetime)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def test_summary_sheets_fit_their_text_keep_numbers_and_turn_landscape_only_when_wide() -> None:
    names = [f"第{n}执法大队" for n in "一二三四五六七八"]
    units = tuple(UnitSummary(name, reported=n, to_rectify=n, closed=n // 2,
                              by_category=dict.fromkeys(Category, n),
                              by_channel=dict.fromkeys(Channel, 1),
                              stage_days={ProblemStatus.REPORTED: 1.25})
                  for n, name in enumerate(names, start=1))
    workbook = load_workbook(io.BytesIO(summary_to_xlsx(Summary(
        date(2023, 4, 18), units, UnitSummary("", reported=36, stage_days={})))))

    for sheet in workbook.worksheets:
        assert sheet["A2"].value == "单位：全部单位    截至：2023年4月18日"
        for number, column in enumerate(sheet.iter_cols(min_row=4), start=1):
            width = sheet.column_dimensions[get_column_letter(number)].width
            texts = [c.value for c in column if isinstance(c.value, str)]
            assert width >= min(40, max(map(display_width, texts), default=0)), \
                f"{sheet.title} column {number}"
            assert all(isinstance(c.value, int | float) for c in column
                       if c.value is not None and not isinstance(c.value, str))
    assert workbook["总体情况"]["B4"].value == 1
    assert workbook["各环节平均用时（天）"]["B4"].number_format == "0.00"
    assert workbook["各环节平均用时（天）"].page_setup.orientation == "portrait"
    assert workbook["按问题类别"].page_setup.orientation == "landscape"


# --- exports of a store whose unit name holds control characters ---------------------------

@dataclass(frozen=True)
class Campaign:
    store: Path
    data_dir: Path
    nats_url: str

    def cli(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*RECTIFY, *args, "--read-store", str(self.store), "--data-dir",
                               str(self.data_dir), "--nats-url", self.nats_url],
                              capture_output=True, timeout=120, check=False,
                              env={**os.environ, SEAL_KEY_ENV: TEST_SEAL_KEY.secret.hex()})

    def json(self, *args: str) -> Any:
        done = self.cli(*args, "--format", "json")
        assert done.returncode == 0, done.stderr.decode()
        return json.loads(done.stdout)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    base = tmp_path_factory.mktemp("campaign")
    server = EmbeddedNats(store_dir=base / "nats")
    server.start()
    try:
        projected(a_campaign_worth_printing(), server.url, base / "r.db").close()
        yield Campaign(base / "r.db", base / "data", server.url)
    finally:
        server.stop()


@pytest.mark.integration
def test_a_unit_name_with_control_characters_still_exports_files_that_open(
    campaign: Campaign, tmp_path: Path
) -> None:
    outputs = {name: tmp_path / name for name in
               ("ledger.xlsx", "ledger.csv", "summary.xlsx", "summary.docx", "stats.xlsx")}
    for command, fmt, name in (("ledger", "xlsx", "ledger.xlsx"), ("ledger", "csv", "ledger.csv"),
                               ("summary", "xlsx", "summary.xlsx"),
                               ("summary", "docx", "summary.docx"),
                               ("stats", "xlsx", "stats.xlsx")):
        done = campaign.cli(command, "--format", fmt, "-o", str(outputs[name]))
        assert done.returncode == 0, done.stderr.decode()

    ledger = load_workbook(outputs["ledger.xlsx"])
    assert SHOWN_HOSTILE_UNIT in ledger.sheetnames
    assert f"填报单位：{SHOWN_HOSTILE_UNIT} " in ledger[SHOWN_HOSTILE_UNIT]["A2"].value
    summary = load_workbook(outputs["summary.xlsx"])
    assert SHOWN_HOSTILE_UNIT in [c.value for c in summary["总体情况"]["A"]]
    stats = load_workbook(outputs["stats.xlsx"])
    assert SHOWN_HOSTILE_UNIT in [c.value for c in stats["汇总"]["A"]]
    document = Document(str(outputs["summary.docx"]))
    assert SHOWN_HOSTILE_UNIT in [row.cells[1].text for row in document.tables[0].rows]
    assert f"\n{SHOWN_HOSTILE_UNIT}," in outputs["ledger.csv"].read_text("utf-8-sig")
    assert [u["unit"] for u in campaign.json("ledger")["units"]][-1] == SHOWN_HOSTILE_UNIT
    assert HOSTILE_UNIT != SHOWN_HOSTILE_UNIT  # the store does hold the control characters


def test_a_package_that_would_not_open_is_refused_before_it_leaves() -> None:
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as package:
        package.writestr("xl/workbook.xml", "<workbook>\x00</workbook>")

    with pytest.raises(ExportError, match=r"xl/workbook\.xml"):
        checked_package(broken.getvalue(), "整改台账 xlsx")
    with pytest.raises(ExportError):
        checked_package(b"not a zip", "整改台账 xlsx")


# --- the summary as an official document ----------------------------------------------------

def table_rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows][1:]


@pytest.mark.integration
def test_the_bureaus_summary_document_carries_the_figures_of_the_json_summary(
    campaign: Campaign, tmp_path: Path
) -> None:
    path = tmp_path / "总结.docx"
    done = campaign.cli("summary", "--format", "docx", "--as-of", AS_OF, "-o", str(path))
    assert done.returncode == 0, done.stderr.decode()
    figures = campaign.json("summary", "--as-of", AS_OF)

    document = Document(str(path))
    opened, overall, units, categories, channels = document.tables
    whole = figures["campaign"]
    shown_figures = {label: int(value) for label, value in table_rows(overall)}
    assert {label: shown_figures.get(label) for label in FIGURE_LABELS} == {
        label: whole[key] for label, key in FIGURE_LABELS.items()}
    assert [[cells[0], *map(int, cells[1:])] for cells in table_rows(units)] == [
        [u["unit"], u["reported"], u["to_rectify"], u["closed"], u["closed_on_time"],
         u["overdue"], u["orders"], u["circulars"]] for u in figures["units"]]
    assert {label: int(n) for label, n in table_rows(categories)} == {
        Category(code).label(): n for code, n in whole["by_category"].items()}
    assert {label: int(n) for label, n in table_rows(channels)} == {
        Channel(code).label(): n for code, n in whole["by_channel"].items()}
    assert len(table_rows(opened)) == whole["to_rectify"] - whole["closed"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "行政执法突出问题专项整治工作总结"
    assert "截至2023年4月18日" in text
    assert f"已整改销号{whole['closed']}个" in text
    assert "收到督办1件，已回复1件；通报1件，已回复0件，逾期未回复1件" in text
    assert f"第二分局：{TYPICAL_PROBLEM}（已研判）" in text  # typical cases, causes, mechanisms
    assert f"{TYPICAL_CAUSE}，1个" in text
    assert f"第一分局：{MECHANISM}（某执法〔2023〕3号）" in text
    assert f"1. 第一分局{PlanKind.RECTIFICATION_PLAN.label()}《{PLAN}》" in text
    section = document.sections[0]
    assert [round(length.mm) if length else 0 for length in (
        section.page_width, section.page_height, section.top_margin, section.left_margin)] == [
        210, 297, 37, 28]  # A4; GB/T 9704's 37 mm top and 28 mm binding margin


@pytest.mark.integration
def test_the_summary_as_of_a_moment_after_everything_equals_the_summary_read_now(
    campaign: Campaign
) -> None:
    """--as-of rebuilds every read model the summary reads (a model left out reads empty)."""
    now = campaign.json("summary")
    replayed = campaign.json("summary", "--as-of", "2099-01-01")

    assert replayed["campaign"] == now["campaign"]
    assert replayed["units"] == now["units"]
    assert now["campaign"]["mechanisms"]


@pytest.mark.integration
def test_one_units_summary_document_names_the_unit_and_only_its_problems(
    campaign: Campaign, tmp_path: Path
) -> None:
    path = tmp_path / "第一分局.docx"
    done = campaign.cli("summary", "--unit", "第一分局", "--format", "docx", "--as-of", AS_OF,
                        "-o", str(path))
    assert done.returncode == 0, done.stderr.decode()
    mine = campaign.json("summary", "--unit", "第一分局", "--as-of", AS_OF)["units"][0]

    document = Document(str(path))
    opened, overall, categories, channels = document.tables  # no table of units for one unit
    assert document.paragraphs[0].text == "第一分局行政执法突出问题专项整治工作总结"
    shown_figures = {label: int(value) for label, value in table_rows(overall)}
    assert {label: shown_figures.get(label) for label in FIGURE_LABELS} == {
        label: mine[key] for label, key in FIGURE_LABELS.items()}
    assert {row[1] for row in table_rows(opened)} == {"第一分局"}
    assert sum(int(n) for _, n in table_rows(categories)) == mine["reported"]
    assert sum(int(n) for _, n in table_rows(channels)) == mine["reported"]
    assert "立行立改3个" in "\n".join(p.text for p in document.paragraphs)


@pytest.mark.integration
def test_a_bureaus_own_template_is_used_and_a_broken_one_fails_without_writing(
    campaign: Campaign, tmp_path: Path
) -> None:
    own = Document()
    own.add_paragraph("某某市司法局文件")
    own.add_paragraph("本局共排查问题{{ figures.reported }}个，截至{{ as_of }}。")
    (campaign.data_dir / "templates").mkdir(parents=True, exist_ok=True)
    own.save(str(campaign.data_dir / "templates" / "summary.docx"))
    broken = Document()
    broken.add_paragraph("{{ figures.reported }}{{ no_such_field }}")
    broken.save(str(tmp_path / "broken.docx"))
    out = tmp_path / "out.docx"

    try:
        made = campaign.cli("summary", "--format", "docx", "-o", str(out))
        failed = campaign.cli("summary", "--format", "docx", "--template",
                              str(tmp_path / "broken.docx"), "-o", str(tmp_path / "no.docx"))
        nowhere = campaign.cli("summary", "--format", "xlsx", "-o",
                               str(tmp_path / "missing" / "x.xlsx"))
    finally:
        (campaign.data_dir / "templates" / "summary.docx").unlink()

    assert made.returncode == 0, made.stderr.decode()
    reported = campaign.json("summary")["campaign"]["reported"]
    assert [p.text for p in Document(str(out)).paragraphs][1].startswith(
        f"本局共排查问题{reported}个，截至")
    assert failed.returncode == 1
    assert "导出失败" in failed.stderr.decode()
    assert "no_such_field" in failed.stderr.decode()
    assert not (tmp_path / "no.docx").exists()
    assert nowhere.returncode == 1
    assert "无法写入" in nowhere.stderr.decode()
    assert list(tmp_path.glob("**/*.part")) == []


def test_the_committed_template_is_what_its_builder_builds() -> None:
    assert TEMPLATE.read_bytes() == build(), \
        "run python -m projections.exports.templates.build_summary_template"
