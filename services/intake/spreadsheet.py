"""自查台账导入: a unit's self-inspection ledger (.xlsx, the notice's template) read row by row.

Real ledgers have a merged title, a header block (填报单位：… in four cells, or all four on one
line in one cell, as the template prints it), blank rows, full-width digits, deadlines as dates,
as text or as Excel serial numbers, and sometimes one problem over several rows with its cells
merged. Every column the unit filled in is kept: the four determinations (整改措施, 整改时限,
责任部门, 责任领导) become the unit's proposal. Everything is checked before anything is
filed: one bad sheet or row and the whole file is refused, with each reason and where it is.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.worksheet import Worksheet

from events.vocabulary import Category
from services.cli.dates import parse_date
from services.intake.categorize import category_from

REQUIRED = ("problem", "case")
_HEADERS = {
    "序号": "number", "执法问题": "problem", "问题": "problem", "存在问题": "problem",
    "执法案例": "case", "案例": "case", "典型案例": "case", "整改措施": "measures",
    "整改时限": "deadline", "完成时限": "deadline", "责任部门": "department",
    "责任领导": "leader", "备注": "remarks", "问题类别": "category", "类别": "category",
    "整治重点": "category",
}
_LABELS = {"problem": "执法问题", "case": "执法案例"}
_META = re.compile(r"(填报单位|填报人|电话|填报时间)\s*：\s*(.*?)"
                   r"(?=\s*(?:填报单位|填报人|电话|填报时间)\s*：|$)")
_HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class LedgerRow:
    sheet: str
    row: int
    """The row number as Excel shows it."""
    number: str
    problem: str
    case: str
    category: Category
    category_inferred: bool
    deadline: str
    """整改时限 as an ISO date when it reads as one, else as written."""
    remarks: str
    measures: str = ""
    department: str = ""
    leader: str = ""

    @property
    def deadline_date(self) -> date | None:
        try:
            return date.fromisoformat(self.deadline)
        except ValueError:
            return None

    @property
    def proposes(self) -> bool:
        """Whether the unit filled in any of the four determinations."""
        return any((self.measures, self.deadline, self.department, self.leader))

    def key(self, unit: str) -> str:
        """The de-duplication id: the unit and the row's problem and case, however spaced."""
        content = "\x1f".join(_normal(t) for t in (unit, self.problem, self.case))
        return "ledger:" + hashlib.sha256(content.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class LedgerSheet:
    name: str
    unit: str | None
    filed_by: str | None
    filed_on: date | None
    rows: tuple[LedgerRow, ...]
    phone: str | None = None


@dataclass(frozen=True)
class Problem:
    """Why (part of) a ledger cannot be read, and where."""

    sheet: str
    row: int | None
    zh: str
    en: str


@dataclass
class Ledger:
    sheets: list[LedgerSheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_ledger(source: Path | IO[bytes]) -> Ledger:
    """The ledger in a file, or in an upload's bytes (``io.BytesIO``)."""
    workbook = load_workbook(source, data_only=True)
    ledger = Ledger()
    for sheet in workbook.worksheets:
        grid = _filled_grid(sheet)
        if any(any(cell for cell in row) for row in grid):
            _read_sheet(sheet.title, grid, ledger)
    return ledger


def _filled_grid(sheet: Worksheet) -> list[list[object]]:
    """The sheet's values, each merged range's value copied into all of its cells."""
    grid: list[list[object]] = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, merged.max_row):
            for c in range(merged.min_col - 1, merged.max_col):
                grid[r][c] = value
    return grid


def _read_sheet(name: str, grid: list[list[object]], ledger: Ledger) -> None:
    header_at, columns = _find_header(grid)
    missing = [_LABELS[c] for c in REQUIRED if c not in columns.values()]
    if missing:
        seen = "、".join(_text(c) for c in grid[header_at] if _text(c)) or "（空）"
        ledger.problems.append(Problem(
            name, header_at + 1, f"缺少列：{'、'.join(missing)}（表头行是：{seen}）",
            f"missing columns: {', '.join(missing)} (the header row has: {seen})"))
        return
    meta = _meta(grid[:header_at])
    rows = _rows(name, grid, header_at, columns, ledger)
    ledger.sheets.append(LedgerSheet(name, meta.get("填报单位") or None,
                                     meta.get("填报人") or None,
                                     _date_or_none(meta.get("填报时间", "")), tuple(rows),
                                     meta.get("电话") or None))


def _find_header(grid: list[list[object]]) -> tuple[int, dict[int, str]]:
    """The row naming the most known columns among the first rows, and its column map."""
    best, best_columns = 0, dict[int, str]()
    for index, row in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        columns = {c: _HEADERS[h] for c, cell in enumerate(row)
                   if (h := _normal(_text(cell))) in _HEADERS}
        if len(columns) > len(best_columns):
            best, best_columns = index, columns
    return best, best_columns


def _meta(rows: list[list[object]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in rows:
        for cell in row:
            text = unicodedata.normalize("NFKC", _text(cell)).replace(":", "：")
            for match in _META.finditer(text):
                if match.group(2).strip():
                    found.setdefault(match.group(1), match.group(2).strip())
    return found


def _rows(sheet: str, grid: list[list[object]], header_at: int, columns: dict[int, str],
          ledger: Ledger) -> list[LedgerRow]:
    rows: list[LedgerRow] = []
    for index in range(header_at + 1, len(grid)):
        cells = {name: grid[index][c] for c, name in columns.items() if c < len(grid[index])}
        values = {name: _text(value) for name, value in cells.items()}
        problem, case = values.get("problem", ""), values.get("case", "")
        merged_line = problem == case and len({v for v in values.values() if v}) == 1
        if (not problem and not case) or merged_line:
            continue  # a blank row, or a note or signature line merged across under the table
        number = unicodedata.normalize("NFKC", values.get("number", ""))
        if not problem or not case:
            which = ("执法问题", "problem") if not problem else ("执法案例", "case")
            ledger.problems.append(Problem(sheet, index + 1, f"缺少{which[0]}",
                                           f"the {which[1]} is empty"))
            continue
        if rows and number and rows[-1].number == number and rows[-1].problem == problem:
            # One problem over several rows (序号 and 执法问题 merged): its cases together.
            last = rows.pop()
            rows.append(LedgerRow(**{**last.__dict__, "case": f"{last.case}\n{case}"}))
            continue
        category, inferred = category_from(values.get("category"), problem, case)
        rows.append(LedgerRow(sheet, index + 1, number, problem, case, category, inferred,
                              _deadline(cells.get("deadline")), values.get("remarks", ""),
                              values.get("measures", ""), values.get("department", ""),
                              values.get("leader", "")))
    return rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _normal(text: str) -> str:
    """For comparing: full-width to half-width, no white space."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _deadline(value: object) -> str:
    """The deadline as an ISO date when it reads as one, else as written."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and 20000 < value < 80000:  # an Excel serial day number
        converted = from_excel(value)
        return converted.date().isoformat() if isinstance(converted, datetime) else _text(value)
    parsed = _date_or_none(_text(value))
    return parsed.isoformat() if parsed else _text(value)


def _date_or_none(text: str) -> date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None
