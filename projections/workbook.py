"""The ledger as the Excel template (行政执法突出问题整改台账（样表）): one sheet per unit.

Row 1 the title, row 2 the header line, row 3 the column headers (frozen, repeated on every
printed page), then the rows, and after a blank line any orders and circulars addressed to the
unit as a whole: thin borders, wrapped text, A4 landscape fitted to the page width.
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
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from projections.exports import FORMULA_TRIGGERS, TITLE, header_line
from projections.ledger import COLUMNS, LedgerHeader, UnitLedger

WIDTHS = (6, 30, 30, 30, 12, 14, 10, 18)
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTRED = Alignment(wrap_text=True, vertical="center", horizontal="center")
_EPOCH = datetime(2023, 1, 1)
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def text_cell(sheet: Worksheet, row: int, column: int, value: str) -> Cell:
    """Put ``value`` in the cell as text, whatever it begins with."""
    cell = sheet.cell(row, column)
    assert isinstance(cell, Cell)  # not a merged cell's hidden part
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def _sheet_title(unit: str, taken: set[str]) -> str:
    base = unit.translate(_FORBIDDEN_IN_SHEET_NAMES).strip("'")[:28] or "台账"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        title = f"{base}({n})"
    taken.add(title.lower())
    return title


def _fill(sheet: Worksheet, ledger: UnitLedger) -> None:
    last = len(COLUMNS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    title = text_cell(sheet, 1, 1, TITLE)
    title.font, title.alignment = Font(bold=True, size=16), _CENTRED
    text_cell(sheet, 2, 1, header_line(ledger.header))
    sheet.row_dimensions[1].height = 30
    for column, (name, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), start=1):
        cell = text_cell(sheet, 3, column, name)
        cell.font, cell.alignment, cell.border = Font(bold=True), _CENTRED, _BORDER
        sheet.column_dimensions[get_column_letter(column)].width = width
    for index, row in enumerate(ledger.rows, start=4):
        number = sheet.cell(index, 1, row.no)
        number.alignment, number.border = _CENTRED, _BORDER
        for column, value in enumerate(row.cells()[1:], start=2):
            cell = text_cell(sheet, index, column, value)
            cell.alignment, cell.border = _WRAP, _BORDER
    _unit_notices(sheet, ledger, 4 + len(ledger.rows) + 1)
    _page_setup(sheet)


def _unit_notices(sheet: Worksheet, ledger: UnitLedger, first_row: int) -> None:
    """Below the table, one merged line per order or circular addressed to the unit."""
    if not ledger.notices:
        return
    heading = text_cell(sheet, first_row, 1, "对本单位的督办、通报：")
    heading.font = Font(bold=True)
    for row, notice in enumerate(ledger.notices, start=first_row + 1):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
        text_cell(sheet, row, 1, notice.text()).alignment = _WRAP


def _page_setup(sheet: Worksheet) -> None:
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True


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


def to_xlsx(ledgers: Sequence[UnitLedger]) -> bytes:
    """The workbook: one sheet per unit (an empty template sheet when there is none)."""
    workbook = Workbook()
    default = workbook.active
    assert isinstance(default, Worksheet)
    workbook.remove(default)
    taken: set[str] = set()
    for ledger in ledgers or [UnitLedger(LedgerHeader("", "", "", None), ())]:
        _fill(workbook.create_sheet(_sheet_title(ledger.header.unit, taken)), ledger)
    days = [ledger.header.filed_on for ledger in ledgers if ledger.header.filed_on]
    stamp = datetime.combine(max(days), time()) if days else _EPOCH
    workbook.properties.creator = "rectify"
    workbook.properties.created = workbook.properties.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return stable_zip(raw.getvalue())
