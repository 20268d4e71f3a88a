"""Printed as a person prints them (LibreOffice, headless, to PDF): the ledger on A4 landscape
with its title and column headers on every page, the summary workbook one page wide with its
title and date on every page, and the summary document on A4 portrait, numbered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from projections.engine.store import SqliteStore
from projections.exports.ledger_files import TITLE
from projections.exports.summary_document import document_context, to_docx
from projections.exports.summary_export import to_xlsx as summary_to_xlsx
from projections.exports.workbook import to_xlsx as ledger_to_xlsx
from projections.models.ledger import COLUMNS, read_ledger
from projections.models.summary import read_summary
from projections.models.supervision import read_notices
from services.runtime.nats_server import EmbeddedNats
from tests.projections.papers import a_campaign_worth_printing, a_long_ledger
from tests.projections.streams import projected
from tests.rendering.office import is_a4, office_or_skip, to_pdf

AS_OF = date(2023, 4, 18)
SUMMARY_TITLE = "行政执法突出问题专项整治工作总结"


@pytest.fixture(autouse=True)
def _office() -> None:
    office_or_skip()


@pytest.fixture
def store(nats_server: EmbeddedNats, tmp_path: Path) -> SqliteStore:
    return projected(a_campaign_worth_printing(), nats_server.url, tmp_path / "r.db")


def test_a_long_ledger_prints_on_a4_landscape_with_its_headers_on_every_page(
    tmp_path: Path
) -> None:
    workbook = tmp_path / "ledger.xlsx"
    workbook.write_bytes(ledger_to_xlsx([a_long_ledger(rows=24)]))

    pdf = to_pdf(workbook, tmp_path)

    assert pdf.keep_first_page("ledger").exists()
    pages = len(pdf.sizes)
    assert pages >= 2
    assert all(is_a4(size, landscape=True) for size in pdf.sizes), pdf.sizes
    for page in range(1, pages + 1):
        text = pdf.text(page)
        assert TITLE in text, f"page {page}"
        assert "填报单位：第一分局" in text, f"page {page}"
        assert all(column in text for column in COLUMNS), f"page {page}"
        assert f"第{page}页共{pages}页" in text
    assert "责任领导（签字）" in pdf.text(pages)


@pytest.mark.integration
def test_the_summary_workbook_prints_each_sheet_one_page_wide_titled_and_dated(
    store: SqliteStore, tmp_path: Path
) -> None:
    workbook = tmp_path / "summary.xlsx"
    workbook.write_bytes(summary_to_xlsx(read_summary(store, AS_OF)))

    pdf = to_pdf(workbook, tmp_path)

    assert pdf.keep_first_page("summary-workbook").exists()
    sheets = len(load_workbook(workbook).sheetnames)
    assert len(pdf.sizes) == sheets  # each sheet on one page: nothing spills to the right
    assert all(is_a4(size, landscape=size[0] > size[1]) for size in pdf.sizes), pdf.sizes
    for page in range(1, sheets + 1):
        text = pdf.text(page)
        assert SUMMARY_TITLE in text
        assert "单位：全部单位截至：2023年4月18日" in text
    overall = pdf.text(1)
    assert all(header in overall for header in ("单位", "问题总数", "已销号", "已答复"))


@pytest.mark.integration
def test_the_summary_document_prints_on_a4_portrait_with_page_numbers(
    store: SqliteStore, tmp_path: Path
) -> None:
    summary = read_summary(store, AS_OF)
    document = tmp_path / "summary.docx"
    document.write_bytes(to_docx(document_context(
        summary, read_ledger(store, AS_OF), read_notices(store))))

    pdf = to_pdf(document, tmp_path)

    assert pdf.keep_first_page("summary-document").exists()
    pages = len(pdf.sizes)
    assert 2 <= pages <= 8
    assert all(is_a4(size, landscape=False) for size in pdf.sizes), pdf.sizes
    assert SUMMARY_TITLE in pdf.text(1)
    assert "一、问题排查情况" in pdf.text(1)
    for page in range(1, pages + 1):
        assert f"—{page}—" in pdf.text(page)
