"""The 整改台账 a unit's staff upload in the console: accepted or refused as a file, then read and
planned exactly as ``rectify import`` plans it, and shown row by row before anything is filed."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from events.bilingual import BilingualError
from events.identity import problem_id_for
from events.vocabulary import Category, Channel
from services.intake.ledger_import import ImportPlan, Refusal, plan_import
from services.intake.spreadsheet import Ledger, read_ledger

MAX_LEDGER_BYTES = 5 * 1024 * 1024
"""A filled ledger of a few hundred rows is well under 1 MB."""
_XLSX_START = b"PK\x03\x04"


class UploadRefusedError(BilingualError):
    """An uploaded ledger refused before its preview (too large, not an xlsx, no unit)."""


@dataclass(frozen=True)
class Upload:
    """An uploaded ledger kept (in the person's browser session) between preview and confirm."""

    unit: str
    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class PreviewRow:
    sheet: str
    row: int
    number: str
    problem: str
    case: str
    category: Category
    category_inferred: bool
    measures: str
    deadline: str
    department: str
    leader: str
    problem_id: str
    proposes: bool


def accepted(unit: str, name: str, content: bytes) -> Upload:
    if not content:
        raise UploadRefusedError("请选择要上传的台账文件（.xlsx）",
                                 "choose the ledger file (.xlsx)")
    if len(content) > MAX_LEDGER_BYTES:
        raise UploadRefusedError(
            f"文件过大：{name} 超过 {MAX_LEDGER_BYTES // (1024 * 1024)} MB",
            f"file too large: {name} is over {MAX_LEDGER_BYTES // (1024 * 1024)} MB")
    if not name.lower().endswith(".xlsx") or not content.startswith(_XLSX_START):
        raise UploadRefusedError(
            f"不支持的文件类型：{name}（请上传按台账模板填写的 .xlsx 文件；.xls 请先另存为 .xlsx）",
            f"unsupported file: {name} (upload the template filled in, as .xlsx)")
    return Upload(unit, name, content)


def planned(upload: Upload, filer: str, now: datetime) -> tuple[ImportPlan, list[PreviewRow]]:
    """What importing the upload would file, and why it cannot, as ``rectify import --dry-run``
    would say."""
    try:
        ledger = read_ledger(io.BytesIO(upload.content))
    except Exception as unreadable:  # openpyxl raises many kinds for a file that is not xlsx
        ledger = Ledger()
        plan = plan_import(ledger, upload.unit, filer, upload.name, now)
        plan.refusals[:] = [Refusal(f"无法读取 {upload.name}：{unreadable}",
                                    f"cannot read {upload.name}: {unreadable}")]
        return plan, []
    plan = plan_import(ledger, upload.unit, filer, upload.name, now)
    rows = [PreviewRow(sheet.name, row.row, row.number, row.problem, row.case, row.category,
                       row.category_inferred, row.measures, row.deadline, row.department,
                       row.leader,
                       str(problem_id_for(Channel.SELF_INSPECTION, row.key(upload.unit))),
                       row.proposes)
            for sheet, row in plan.rows]
    return plan, rows
