"""The statistics as a workbook that prints: 汇总 (per unit, with rates), 明细 (every count)
and 按类别 (each of the 13 categories per unit)."""

from __future__ import annotations

from datetime import date

from events.vocabulary import Category
from projections.exports.ledger_files import written_date
from projections.exports.report_sheet import Cell, new_workbook, report_sheet, workbook_bytes
from projections.models.stats import Statistics, Totals

TITLE = "行政执法突出问题整改统计"
_SUMMARY = ("单位", "问题数", "应整改", "已销号", "按期销号", "当前超期", "销号率", "按期率")
_DETAIL = ("单位", "类别", "状态", "渠道", "数量")
_RATE = "0.0%"


def _summary_row(totals: Totals, name: str) -> list[Cell]:
    return [name, totals.reported, totals.to_rectify, totals.closed, totals.closed_on_time,
            totals.overdue, totals.closure_rate, totals.on_time_rate]


def stats_to_xlsx(figures: Statistics, today: date, notice: str = "") -> bytes:
    workbook = new_workbook()
    subtitle = "\n".join(filter(None, (notice, f"单位：全部单位    截至：{written_date(today)}")))
    report_sheet(workbook, "汇总", f"{TITLE}：汇总", subtitle, _SUMMARY,
                 [*(_summary_row(u, u.unit) for u in figures.units),
                  _summary_row(figures.total, "合计")], formats={6: _RATE, 7: _RATE})
    report_sheet(workbook, "明细", f"{TITLE}：明细", subtitle, _DETAIL,
                 [[c.unit, c.category.label(), c.status.label(), c.channel.label(), c.count]
                  for c in figures.cells])
    columns = (*figures.units, figures.total)
    per_unit = [figures.by_category(u.unit or None) for u in columns]
    report_sheet(workbook, "按类别", f"{TITLE}：按类别", subtitle,
                 ("类别", *(u.unit or "合计" for u in columns)),
                 [[c.label(), *(counts[c] for counts in per_unit)] for c in Category])
    return workbook_bytes(workbook, today, "统计 xlsx")
