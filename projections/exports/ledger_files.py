"""Exports of the rectification ledger (整改台账): CSV, JSON, a text table, and the Excel template.

Every export of the same ledger is byte for byte the same, and none holds a character an
Office file cannot (see ``outgoing``). Spreadsheet-bound text that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is neutralised so that no cell is
ever taken for a formula (CSV: a leading ``'``; xlsx: an explicit text cell, see ``workbook``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from rich.console import Console
from rich.table import Table

from projections.exports.outgoing import printable, printable_all
from projections.models.ledger import COLUMNS, LedgerHeader, UnitLedger

ExportFormat = Literal["table", "csv", "json", "xlsx"]
FORMATS: tuple[ExportFormat, ...] = ("table", "csv", "json", "xlsx")
TITLE = "行政执法突出问题整改台账"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def written_date(day: date) -> str:
    """A date as the notice writes it: 2023年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def header_line(header: LedgerHeader) -> str:
    """填报单位：… 填报人：… 电话：… 填报时间：…, as on the template."""
    filed_on = written_date(header.filed_on) if header.filed_on else ""
    return (f"填报单位：{header.unit}    填报人：{header.filed_by}    "
            f"电话：{header.phone}    填报时间：{filed_on}")


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet will show it, never as a formula."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_document(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with BOM (so Excel reads the Chinese), CRLF lines, no cell taken for a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralised("" if cell is None else str(cell)) for cell in row])
    return b"\xef\xbb\xbf" + printable(out.getvalue()).encode("utf-8")


def to_csv(ledgers: Sequence[UnitLedger]) -> bytes:
    """The template columns, plus 填报单位 first when more than one unit is exported.

    Only the rows: a CSV file is one table, so orders and circulars addressed to a unit as a
    whole are left to the other formats.
    """
    several = len(ledgers) > 1
    return csv_document(
        (("填报单位",) if several else ()) + COLUMNS,
        (((ledger.header.unit,) if several else ()) + row.cells()
         for ledger in ledgers for row in ledger.rows))


def to_json(ledgers: Sequence[UnitLedger]) -> bytes:
    """``{"title", "units": [{"unit", "filed_by", "phone", "filed_on", "rows", "unit_notices"}]}``.

    ``unit_notices`` are the orders and circulars addressed to the unit as a whole, as text.
    """
    units = [
        {
            "unit": ledger.header.unit,
            "filed_by": ledger.header.filed_by,
            "phone": ledger.header.phone,
            "filed_on": ledger.header.filed_on.isoformat() if ledger.header.filed_on else None,
            "rows": [row.as_dict() for row in ledger.rows],
            "unit_notices": [notice.text() for notice in ledger.notices],
        }
        for ledger in ledgers
    ]
    document = printable_all({"title": TITLE, "columns": list(COLUMNS), "units": units})
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def to_table(ledgers: Sequence[UnitLedger], width: int = 160) -> str:
    """One boxed table per unit, titled and headed as the template is, for a terminal."""
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False,
                      force_terminal=False, legacy_windows=False, emoji=False, markup=False)
    for ledger in ledgers:
        table = Table(title=TITLE, caption=header_line(ledger.header), caption_justify="left",
                      show_lines=True)
        for column in COLUMNS:
            table.add_column(column, overflow="fold")
        for row in ledger.rows:
            table.add_row(*row.cells())
        console.print(table)
        for notice in ledger.notices:
            console.print(notice.text())
    output = console.file
    assert isinstance(output, io.StringIO)
    return printable(output.getvalue())


def export(ledgers: Sequence[UnitLedger], fmt: ExportFormat, notice: str = "") -> bytes:
    """The ledger in ``fmt``, as bytes ready for a file or standard output; a workbook carries
    ``notice`` (e.g. that the data is not current) under its title."""
    if fmt == "csv":
        return to_csv(ledgers)
    if fmt == "json":
        return to_json(ledgers)
    if fmt == "xlsx":
        from projections.exports.workbook import to_xlsx  # openpyxl only when a workbook is wanted

        return to_xlsx(ledgers, notice)
    return to_table(ledgers).encode("utf-8")
