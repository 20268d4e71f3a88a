"""Importing a unit's filled 整改台账, as ``rectify import`` and the console's upload both do it.

``plan_import`` decides, without filing anything, what a read ledger would file for a unit and
every reason it cannot (so a dry run and a preview show exactly what a real import does);
``file_import`` then files it: each row as a self-inspection report the service prepared for
the signed-in person (``services.intake.prepared``: casework files it as them, on behalf of the
ledger's 填报人), each row's four determinations as the unit's proposal, and the ledger's
filing with its 填报人, 电话 and 填报时间, all as the signed-in person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from nats.aio.client import Client
from pydantic import ValidationError

from events.bilingual import BilingualError
from events.commands import Propose, SubmitFiling
from events.subjects import (
    HEADER_SESSION,
    PROBLEM_QUERY,
    command_subject,
    unit_command_subject,
)
from events.submission import IntakeSubmission
from events.vocabulary import Channel, Filing
from services.cli.client import publish_submission, request, wait_for_problem
from services.intake.gateway import Receipt
from services.intake.prepared import NotPreparedError, prepare
from services.intake.spreadsheet import Ledger, LedgerRow, LedgerSheet

CHINA = timezone(timedelta(hours=8))
RECORDED_WITHIN_SECONDS = 30.0
ALREADY_SETTLED = frozenset({"proposal_not_allowed", "wrong_status", "problem_closed"})
"""A re-imported row: its proposal is pending already, or the problem is past assignment."""


@dataclass(frozen=True)
class Refusal:
    """One reason the ledger cannot be imported, saying where."""

    zh: str
    en: str


class ImportFailedError(BilingualError):
    """Filing stopped part-way (what was filed stays filed: importing again files it once)."""


@dataclass
class ImportPlan:
    """What importing the ledger for ``unit`` files, or why it files nothing."""

    unit: str
    sheets: list[LedgerSheet]
    skipped: list[LedgerSheet]
    """Sheets of other units, left alone."""
    rows: list[tuple[LedgerSheet, LedgerRow]]
    submissions: list[IntakeSubmission]
    refusals: list[Refusal] = field(default_factory=list)


@dataclass(frozen=True)
class RowOutcome:
    receipt: Receipt
    new: bool
    proposal: str | None
    """``proposed``, ``on_record`` (pending already, or the problem is past assignment) or None
    (the unit filled in none of the four determinations)."""


def plan_import(ledger: Ledger, unit: str, filer: str, file_name: str,
                now: datetime) -> ImportPlan:
    """Every check ``rectify import`` makes before filing anything, as refusals."""
    refusals = [Refusal(f"工作表「{p.sheet}」" + (f"第 {p.row} 行" if p.row else "") + f"：{p.zh}",
                        f"sheet {p.sheet!r}" + (f" row {p.row}" if p.row else "") + f": {p.en}")
                for p in ledger.problems]
    sheets, skipped = sheets_of(ledger, unit)
    if not sheets and not ledger.problems:
        refusals.append(Refusal(f"{file_name} 中没有「{unit}」的台账",
                                f"{file_name} holds no ledger of {unit!r}"))
    today = now.astimezone(CHINA).date()
    for sheet in sheets:
        if sheet.filed_on is not None and sheet.filed_on > today:
            refusals.append(Refusal(
                f"工作表「{sheet.name}」的填报时间 {sheet.filed_on} 晚于今天",
                f"sheet {sheet.name!r} is dated {sheet.filed_on}, after today"))
    rows = [(sheet, row) for sheet in sheets for row in sheet.rows]
    submissions = []
    for sheet, row in rows:
        try:
            submissions.append(submission(unit, sheet, row, filer, now))
        except ValidationError as invalid:
            first = invalid.errors(include_url=False)[0]
            refusals.append(Refusal(
                f"工作表「{sheet.name}」第 {row.row} 行：{first['loc'][0]} {first['msg']}",
                f"sheet {sheet.name!r} row {row.row}: {first['loc'][0]} {first['msg']}"))
    return ImportPlan(unit, sheets, skipped, rows, submissions, refusals)


def sheets_of(ledger: Ledger, unit: str) -> tuple[list[LedgerSheet], list[LedgerSheet]]:
    """The sheets of ``unit`` (or naming no unit), and those of other units."""
    def same(a: str, b: str) -> bool:
        return "".join(a.split()) == "".join(b.split())

    mine = [s for s in ledger.sheets if s.unit is None or same(s.unit, unit)]
    return mine, [s for s in ledger.sheets if s not in mine]


def submission(unit: str, sheet: LedgerSheet, row: LedgerRow, filer: str,
               now: datetime) -> IntakeSubmission:
    """The row as a self-inspection report, reported on the ledger's 填报时间."""
    filed_on = sheet.filed_on
    at = datetime(filed_on.year, filed_on.month, filed_on.day, tzinfo=CHINA) if filed_on \
        else now
    return IntakeSubmission(
        channel=Channel.SELF_INSPECTION, intake_id=row.key(unit), unit=unit,
        category=row.category, problem=row.problem, case=row.case, submitted_at=at,
        filed_by=filer, on_behalf_of=sheet.filed_by or None,
    )


async def known(client: Client, problem_id: UUID) -> bool:
    """Whether the problem is on record already (an earlier import filed it)."""
    return bool((await request(client, PROBLEM_QUERY, {"problem_id": str(problem_id)}))
                .get("ok"))


async def file_import(client: Client, plan: ImportPlan, actor: str,
                      headers: dict[str, str]) -> list[RowOutcome]:
    """File the plan (which must have no refusals) as ``actor`` with session ``headers``."""
    assert not plan.refusals, plan.refusals
    try:
        filer, ready = await prepare(client, headers.get(HEADER_SESSION), Channel.SELF_INSPECTION,
                                     plan.unit, actor,
                                     [{"intake_id": one.intake_id} for one in plan.submissions])
    except NotPreparedError as refused:
        raise ImportFailedError(refused.zh, refused.en) from None
    filed: list[tuple[Receipt, bool]] = []
    for one, prepared in zip(plan.submissions, ready, strict=True):
        new = not await known(client, prepared.problem_id)
        await publish_submission(client, one.model_copy(update={"filed_by": filer}),
                                 prepared.ticket)
        filed.append((Receipt(prepared.tracking, prepared.problem_id), new))
    for receipt, _ in filed:
        if not (await wait_for_problem(client, receipt.problem_id,
                                       RECORDED_WITHIN_SECONDS)).get("ok"):
            raise ImportFailedError(
                f"{receipt.tracking} 已提交，但未在时限内登记，请用 rectify status 检查；"
                "重新提交不会重复登记",
                f"{receipt.tracking} submitted but not recorded in time; check "
                "`rectify status` (submitting again files nothing twice)")
    proposals = [await _propose(client, sheet, row, receipt.problem_id, actor, headers)
                 for (sheet, row), (receipt, _) in zip(plan.rows, filed, strict=True)]
    await _file_ledger(client, plan, actor, headers)
    return [RowOutcome(receipt, new, proposal)
            for (receipt, new), proposal in zip(filed, proposals, strict=True)]


async def _propose(client: Client, sheet: LedgerSheet, row: LedgerRow, problem_id: UUID,
                   actor: str, headers: dict[str, str]) -> str | None:
    if not row.proposes:
        return None
    command = Propose(
        problem_id=problem_id, actor=actor, proposed_by=sheet.filed_by,
        leader=row.leader or None, department=row.department or None,
        measures=row.measures or None, deadline=row.deadline_date,
        deadline_as_written=None if row.deadline_date else row.deadline or None,
        immediate="立行立改" in row.remarks)
    reply = await request(client, command_subject(command.verb),
                          command.model_dump_json().encode(), headers=headers)
    error: dict[str, Any] = reply.get("error") or {}
    if not reply.get("ok") and error.get("code") not in ALREADY_SETTLED:
        raise ImportFailedError(
            f"工作表「{sheet.name}」第 {row.row} 行的整改方案未记录：{error.get('zh', '被拒绝')}",
            f"sheet {sheet.name!r} row {row.row}: proposal not recorded: "
            f"{error.get('en', 'refused')}")
    return "proposed" if reply.get("ok") else "on_record"


async def _file_ledger(client: Client, plan: ImportPlan, actor: str,
                       headers: dict[str, str]) -> None:
    """报送: the ledger's filing, with the 填报人, 电话 and 填报时间 of its header."""
    header = next((s for s in plan.sheets if s.filed_by or s.phone or s.filed_on), None)
    filing = SubmitFiling(unit=plan.unit, actor=actor, filing=Filing.LEDGER,
                          phone=header.phone if header else None,
                          filed_by=header.filed_by if header else None,
                          filed_on=header.filed_on if header else None)
    reply = await request(client, unit_command_subject(filing.verb),
                          filing.model_dump_json().encode(), headers=headers)
    if not reply.get("ok"):
        error = reply.get("error") or {}
        raise ImportFailedError(
            f"台账中的问题和整改方案已登记，但报送（填报人、电话、填报时间）未记录："
            f"{error.get('zh', '被拒绝')}；可由有权者用 rectify campaign filed 补记",
            f"the ledger's problems and proposals are recorded, but its filing was not: "
            f"{error.get('en', 'refused')}; record it with `rectify campaign filed`")

