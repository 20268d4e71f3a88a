"""The statistics as a workbook: 汇总 (per unit, with rates) and 明细 (every count)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from events.vocabulary import Category
from projections.stats import Statistics, Totals
from projections.workbook import stable_zip

_SUMMARY = ("单位", "问题数", "应整改", "已销号", "按期销号", "当前超期", "销号率", "按期率")
_DETAIL = ("单位", "类别", "状态", "渠道", "数量")


def _summary_row(totals: Totals, name: str) -> list[object]:
    return [name, totals.reported, totals.to_rectify, totals.closed, totals.closed_on_time,
            totals.overdue, totals.closure_rate, totals.on_time_rate]


def _sheet(workbook: Workbook, title: str, header: tuple[str, ...],
           rows: list[list[object]]) -> Worksheet:
    sheet: Worksheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 24
    return sheet


def stats_to_xlsx(figures: Statistics, today: date) -> bytes:
    workbook = Workbook()
    default = workbook.active
    assert isinstance(default, Worksheet)
    workbook.remove(default)
    summary = _sheet(workbook, "汇总", _SUMMARY,
                     [*(_summary_row(u, u.unit) for u in figures.units),
                      _summary_row(figures.total, "合计")])
    for row in summary.iter_rows(min_row=2, min_col=7, max_col=8):
        for cell in row:
            cell.number_format = "0.0%"
    _sheet(workbook, "明细", _DETAIL,
           [[c.unit, c.category.label(), c.status.label(), c.channel.label(), c.count]
            for c in figures.cells])
    columns = (*figures.units, figures.total)
    per_unit = [figures.by_category(u.unit or None) for u in columns]
    _sheet(workbook, "按类别", ("类别", *(u.unit or "合计" for u in columns)),
           [[c.label(), *(counts[c] for counts in per_unit)] for c in Category])
    workbook.properties.creator = "rectify"
    workbook.properties.created = workbook.properties.modified = datetime.combine(today, time())
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return stable_zip(raw.getvalue())
