"""A table of figures as a sheet that prints: the statistics and summary workbooks use it.

Row 1 the title, row 2 the unit and the as-of date, row 3 the column headers: all three
printed again on every page. Text is text (see ``workbook.text_cell``), numbers stay numbers,
columns are as wide as their text (measured, full-width Chinese counted double), and the sheet
prints on A4 one page wide: portrait when it fits, landscape when it is wider.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from projections.exports.outgoing import checked_package, printable
from projections.exports.print_layout import row_height, text_width
from projections.exports.workbook import BODY_POINTS, FONT_NAME, FOOTER, stable_zip, text_cell

Cell = str | int | float | None
PORTRAIT_WIDTH = 100
"""Column width units that fit across A4 portrait inside the margins; wider goes landscape."""
MIN_WIDTH, MAX_WIDTH = 8, 40
TITLE_ROWS = "1:3"
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADING = Alignment(wrap_text=True, vertical="center", horizontal="center")
_TEXT = Alignment(wrap_text=True, vertical="center")
_NUMBER = Alignment(vertical="center", horizontal="right")
_BODY = Font(name=FONT_NAME, size=BODY_POINTS)
_BOLD = Font(name=FONT_NAME, size=BODY_POINTS, bold=True)


def new_workbook() -> Workbook:
    workbook = Workbook()
    default = workbook.active
    assert isinstance(default, Worksheet)
    workbook.remove(default)
    return workbook


def report_sheet(workbook: Workbook, name: str, title: str, subtitle: str,
                 header: Sequence[str], rows: Sequence[Sequence[Cell]],
                 formats: dict[int, str] | None = None) -> Worksheet:
    """A sheet ``name`` holding the table; ``formats`` maps a column index to a number format."""
    sheet: Worksheet = workbook.create_sheet(printable(name)[:31])
    widths = _widths(header, rows)
    last = len(header)
    for row, (text, font) in enumerate(
            ((title, Font(name=FONT_NAME, size=16, bold=True)), (subtitle, _BODY)), start=1):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        cell = text_cell(sheet, row, 1, text)
        cell.font, cell.alignment = font, _HEADING if row == 1 else _TEXT
        sheet.row_dimensions[row].height = row_height([(text, float(sum(widths)))],
                                                      font.sz or BODY_POINTS) + 4
    for column, (text, width) in enumerate(zip(header, widths, strict=True), start=1):
        cell = text_cell(sheet, 3, column, text)
        cell.font, cell.alignment, cell.border = _BOLD, _HEADING, _BORDER
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[3].height = row_height(zip(header, widths, strict=True), BODY_POINTS)
    for number, values in enumerate(rows, start=4):
        for column, value in enumerate(values, start=1):
            _put(sheet, number, column, value, (formats or {}).get(column - 1))
        sheet.row_dimensions[number].height = row_height(
            ((printable(v), w) for v, w in zip(values, widths, strict=True)
             if isinstance(v, str)), BODY_POINTS)
    _page_setup(sheet, sum(widths))
    return sheet


def _put(sheet: Worksheet, row: int, column: int, value: Cell, number_format: str | None) -> None:
    if isinstance(value, str):
        cell = text_cell(sheet, row, column, value)
        cell.alignment = _TEXT
    else:
        cell = sheet.cell(row, column, value)
        cell.alignment = _NUMBER
        if number_format is None and isinstance(value, float):
            number_format = "0.00"
        if number_format is not None:
            cell.number_format = number_format
    cell.font, cell.border = _BODY, _BORDER


def _widths(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[int]:
    """Each column as wide as its widest text (a header may wrap onto two lines)."""
    widths = []
    for column, heading in enumerate(header):
        shown = [_shown(row[column]) for row in rows]
        needed = max([(text_width(heading) + 1) // 2, *(text_width(s) for s in shown)]) + 2
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, needed)))
    return widths


def _shown(value: Cell) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else printable(str(value))


def _page_setup(sheet: Worksheet, width: int) -> None:
    sheet.freeze_panes = "B4"
    sheet.print_title_rows = TITLE_ROWS
    sheet.page_setup.orientation = "portrait" if width <= PORTRAIT_WIDTH else "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3,
                                     footer=0.3)
    footer = sheet.oddFooter
    assert footer is not None  # openpyxl makes every sheet's header and footer
    footer.center.text, footer.center.size = FOOTER, 10


def workbook_bytes(workbook: Workbook, today: date, what: str) -> bytes:
    """The workbook dated ``today``, the same bytes for the same content, checked to open."""
    workbook.properties.creator = "rectify"
    workbook.properties.created = workbook.properties.modified = datetime.combine(today, time())
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return checked_package(stable_zip(raw.getvalue()), what)
