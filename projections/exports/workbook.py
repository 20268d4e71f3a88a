"""The ledger as the Excel template (行政执法突出问题整改台账（样表）): one sheet per unit.

Row 1 the title, row 2 the header line (unit and date of filing), row 3 the column headers: all
three frozen and printed again at the top of every page. Then the rows, each as tall as its
longest wrapped text needs (measured, see ``print_layout``), 整改时限 as a real date shown as
the notice writes it; after a blank line any orders and circulars addressed to the unit as a
whole, then the line where the responsible leader signs. Thin borders, 11-point type, A4
landscape fitted to the page width, 第 N 页 共 M 页 in the footer.
Text is always written as a text cell (never a formula) with Excel's quote prefix when it would
look like one. Timestamps come from the data and the zip entries are dated 1980-01-01, so the
same ledger always gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime, time

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from projections.exports.ledger_files import FORMULA_TRIGGERS, TITLE, header_line, written_date
from projections.exports.outgoing import checked_package, printable
from projections.exports.print_layout import row_height
from projections.models.ledger import COLUMNS, LedgerHeader, LedgerRow, UnitLedger

WIDTHS = (5, 28, 32, 30, 15, 14, 12, 20)
"""Column widths in Excel units: about 156 in all, A4 landscape at a little under full size."""
FONT_NAME = "宋体"
BODY_POINTS = 11.0
TITLE_POINTS = 18.0
DEADLINE_FORMAT = 'yyyy"年"m"月"d"日"'
TITLE_ROWS = "1:3"
"""Title, header line and column headers: printed again at the top of every page."""
FOOTER = "第 &P 页 共 &N 页"
SIGNATURE = "责任领导（签字）：" + "\u3000" * 10 + "单位（盖章）：" + "\u3000" * 10 + \
    "日期：\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"
"""Blanks of ideographic spaces, which keep their width in every viewer."""
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTRED = Alignment(wrap_text=True, vertical="center", horizontal="center")
_LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")
_BODY = Font(name=FONT_NAME, size=BODY_POINTS)
_BOLD = Font(name=FONT_NAME, size=BODY_POINTS, bold=True)
_EPOCH = datetime(2023, 1, 1)
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def text_cell(sheet: Worksheet, row: int, column: int, value: str) -> Cell:
    """Put ``value`` in the cell as text, whatever it begins with, without unwritable characters."""
    cell = sheet.cell(row, column)
    assert isinstance(cell, Cell)  # not a merged cell's hidden part
    cell.value = printable(value)
    cell.data_type = "s"
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def _sheet_title(unit: str, taken: set[str]) -> str:
    base = printable(unit).translate(_FORBIDDEN_IN_SHEET_NAMES).strip("'")[:28] or "台账"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        title = f"{base}({n})"
    taken.add(title.lower())
    return title


def _fill(sheet: Worksheet, ledger: UnitLedger, notice: str) -> None:
    last = len(COLUMNS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    title = text_cell(sheet, 1, 1, TITLE)
    title.font = Font(name=FONT_NAME, size=TITLE_POINTS, bold=True)
    title.alignment = _CENTRED
    sheet.row_dimensions[1].height = TITLE_POINTS * 2
    text = "\n".join(filter(None, (notice, header_line(ledger.header))))
    line = text_cell(sheet, 2, 1, text)
    line.font, line.alignment = _BODY, _LEFT
    sheet.row_dimensions[2].height = row_height([(printable(text), float(sum(WIDTHS)))],
                                                BODY_POINTS) + BODY_POINTS / 2
    for column, (name, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), start=1):
        cell = text_cell(sheet, 3, column, name)
        cell.font, cell.alignment, cell.border = _BOLD, _CENTRED, _BORDER
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[3].height = row_height(zip(COLUMNS, WIDTHS, strict=True), BODY_POINTS)
    for index, row in enumerate(ledger.rows, start=4):
        _data_row(sheet, index, row)
    _signature(sheet, _unit_notices(sheet, ledger, 4 + len(ledger.rows) + 1))
    _page_setup(sheet)


_DEADLINE_COLUMN = COLUMNS.index("整改时限") + 1


def _data_row(sheet: Worksheet, index: int, row: LedgerRow) -> None:
    shown = [printable(text) for text in row.cells()]
    for column, value in enumerate(shown, start=1):
        cell = sheet.cell(index, column)
        if column == 1:
            cell.value, cell.alignment = row.no, _CENTRED
        elif column == _DEADLINE_COLUMN and row.deadline is not None:
            cell.value, cell.number_format, cell.alignment = row.deadline, DEADLINE_FORMAT, \
                _CENTRED
            shown[column - 1] = written_date(row.deadline)  # as it will be shown, for the height
        else:
            text_cell(sheet, index, column, value).alignment = _WRAP
        cell.font, cell.border = _BODY, _BORDER
    sheet.row_dimensions[index].height = row_height(zip(shown, WIDTHS, strict=True),
                                                    BODY_POINTS)


def _unit_notices(sheet: Worksheet, ledger: UnitLedger, first_row: int) -> int:
    """Below the table, one merged line per order or circular addressed to the unit; the row
    that is free after them and a blank line."""
    if not ledger.notices:
        return first_row
    heading = text_cell(sheet, first_row, 1, "对本单位的督办、通报：")
    heading.font = _BOLD
    full_width = float(sum(WIDTHS))
    for row, notice in enumerate(ledger.notices, start=first_row + 1):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
        cell = text_cell(sheet, row, 1, notice.text())
        cell.alignment, cell.font = _WRAP, _BODY
        sheet.row_dimensions[row].height = row_height(
            [(printable(notice.text()), full_width)], BODY_POINTS)
    return first_row + len(ledger.notices) + 2


def _signature(sheet: Worksheet, row: int) -> None:
    """Where the unit signs its filing: the responsible leader, the seal, the date."""
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
    cell = text_cell(sheet, row, 1, SIGNATURE)
    cell.font, cell.alignment = _BODY, _LEFT
    sheet.row_dimensions[row].height = BODY_POINTS * 3


def _page_setup(sheet: Worksheet) -> None:
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = TITLE_ROWS
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3,
                                     footer=0.3)
    footer = sheet.oddFooter
    assert footer is not None  # openpyxl makes every sheet's header and footer
    footer.center.text, footer.center.size = FOOTER, 10


def stable_zip(raw: bytes) -> bytes:
    """The same archive with every entry dated 1980-01-01, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def to_xlsx(ledgers: Sequence[UnitLedger], notice: str = "") -> bytes:
    """The workbook: one sheet per unit (an empty template sheet when there is none), with
    ``notice`` (that the data is not current, when it is not) above the header line."""
    workbook = Workbook()
    default = workbook.active
    assert isinstance(default, Worksheet)
    workbook.remove(default)
    taken: set[str] = set()
    for ledger in ledgers or [UnitLedger(LedgerHeader("", "", "", None), ())]:
        _fill(workbook.create_sheet(_sheet_title(ledger.header.unit, taken)), ledger, notice)
    days = [ledger.header.filed_on for ledger in ledgers if ledger.header.filed_on]
    stamp = datetime.combine(max(days), time()) if days else _EPOCH
    workbook.properties.creator = "rectify"
    workbook.properties.created = workbook.properties.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return checked_package(stable_zip(raw.getvalue()), "整改台账 xlsx")
