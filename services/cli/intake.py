"""Intake from the command line: the hotline desk (``rectify hotline``) and ledger import
(``rectify import``). Both publish through the same gateway as the network channels."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from pydantic import ValidationError

from events.subjects import PROBLEM_QUERY
from events.submission import IntakeSubmission
from events.vocabulary import Category, Channel
from services.cli.client import connected, publish_submission, request, wait_for_problem
from services.cli.filing import prepared_or_fail
from services.cli.options import Session, common_options
from services.cli.reporters import reporter
from services.cli.staff import VocabularyParam
from services.clock import system_clock
from services.intake.gateway import Receipt
from services.intake.hotline import BadPhoneError, Call, call_submission, check_phone
from services.intake.ledger_import import (
    ImportFailedError,
    ImportPlan,
    RowOutcome,
    file_import,
    plan_import,
)
from services.intake.parts import SERVICES
from services.intake.prepared import Prepared
from services.intake.spreadsheet import Ledger, LedgerRow, LedgerSheet, read_ledger
from services.reporters.keys import IntakeKeys, MissingKeyError
from services.runtime.bus import user_url
from services.runtime.config import DEFAULT_DATA_DIR, IntakeSettings, Settings


def _invalid(session: Session, invalid: ValidationError) -> None:
    first = invalid.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"])
    session.out.fail(f"内容无效：{where}：{first['msg']}", f"invalid {where}: {first['msg']}")


Build = Callable[[str, list[Prepared]], list[IntakeSubmission]]
"""The submissions, from the filer's name and the reports the service prepared."""


async def _file(session: Session, channel: Channel, unit: str, wanted: list[dict[str, Any]],
                build: Build) -> list[tuple[Receipt, bool]]:
    """Have the service prepare the reports (it checks the session and seals callers), publish
    each with its ticket, wait until each is recorded; receipts and whether each is new."""
    async with connected(session.url()) as client:
        filer, ready = await prepared_or_fail(session, client, channel, unit, wanted)
        outcomes = []
        for submission, prepared in zip(build(filer, ready), ready, strict=True):
            receipt = Receipt(prepared.tracking, prepared.problem_id)
            known = await request(client, PROBLEM_QUERY, {"problem_id": str(receipt.problem_id)})
            await publish_submission(client, submission, prepared.ticket)
            outcomes.append((receipt, not known.get("ok")))
        for receipt, _ in outcomes:
            if not (await wait_for_problem(client, receipt.problem_id, 30)).get("ok"):
                session.out.fail(f"{receipt.tracking} 已提交，但未在时限内登记，"
                                 "请用 rectify status 检查；重新提交不会重复登记",
                                 f"{receipt.tracking} submitted but not recorded in time; check "
                                 "`rectify status` (submitting again files nothing twice)")
        return outcomes


# ------------------------------------------------------------------ hotline

@click.command()
@common_options
@click.option("--ticket", default=None, help="来电工单号（重复录入不会重复登记）")
@click.option("--caller-phone", default=None, help="来电号码（不留则匿名）")
@click.option("--caller-name", default=None, help="来电人姓名（可不填）")
@click.option("--unit", default=None, help="涉及单位（默认为受理科室）")
@click.option("--category", type=VocabularyParam(Category), default=None,
              help="问题类别（不填则按内容归类）")
@click.option("--problem", "problem_text", default=None, help="执法问题")
@click.option("--case", "case_text", default=None, help="具体情况")
@click.option("--enterprise", default=None, help="涉及企业或地点")
def hotline(session: Session, ticket: str | None, caller_phone: str | None,
            caller_name: str | None, unit: str | None, category: Category | None,
            problem_text: str | None, case_text: str | None, enterprise: str | None) -> None:
    """监督举报电话受理：逐项提问，或全部用参数给出 / take down a hotline call."""
    t = session.out.t
    asking = problem_text is None or case_text is None  # a script gives both; an operator not
    public_unit = IntakeSettings.from_env().public_unit
    if asking:
        ticket = ticket or click.prompt(t("工单号", "ticket number"),
                                        default=f"HL-{system_clock():%Y%m%d-%H%M%S}")
        caller_phone = caller_phone or click.prompt(
            t("来电号码（匿名请直接回车）", "caller's phone (Enter: anonymous)"),
            default="", show_default=False) or None
        caller_name = caller_name or click.prompt(
            t("来电人姓名（可不填）", "caller's name (optional)"), default="",
            show_default=False) or None
        unit = unit or click.prompt(t("涉及单位", "unit concerned"), default=public_unit)
        problem_text = problem_text or click.prompt(t("执法问题（一句话）", "the problem"))
        case_text = case_text or click.prompt(t("具体情况", "what happened"))
        enterprise = enterprise or click.prompt(
            t("涉及企业或地点（可不填）", "enterprise (optional)"), default="",
            show_default=False) or None
    if not ticket:
        session.out.fail("脚本方式须给出 --ticket 工单号", "--ticket is required with --problem")
    assert problem_text is not None
    assert case_text is not None
    call = Call(ticket=ticket, problem=problem_text, case=case_text,
                unit=unit or public_unit, operator=session.actor, caller_phone=caller_phone,
                caller_name=caller_name, category=category, enterprise=enterprise)
    try:
        check_phone(call)
    except BadPhoneError as bad:
        session.out.fail(f"来电号码格式不正确：{bad}（只能有数字、空格、+、-、括号）",
                         f"not a phone number: {bad} (digits, spaces, +, -, parentheses)")

    def build(operator: str, ready: list[Prepared]) -> list[IntakeSubmission]:
        try:
            return [call_submission(replace(call, operator=operator), ready[0], system_clock())]
        except ValidationError as invalid:
            _invalid(session, invalid)
            raise

    caller = {"name": caller_name, "phone": caller_phone} \
        if caller_name or caller_phone else None
    wanted = [{"native_id": ticket, "caller": caller}]
    [(receipt, new)] = session.run(_file(session, Channel.HOTLINE, call.unit, wanted, build))
    if session.out.format == "json":
        session.out.json({"ok": True, "tracking": receipt.tracking, "ticket": ticket,
                          "problem_id": str(receipt.problem_id), "new": new})
        return
    if new:
        session.out.line(f"已登记。请告知来电人查询编号：{receipt.tracking}"
                         f"（问题 {receipt.problem_id}）",
                         f"recorded; tell the caller the tracking number {receipt.tracking} "
                         f"(problem {receipt.problem_id})")
    else:
        session.out.line(f"该工单已登记过，查询编号：{receipt.tracking}",
                         f"this ticket is already on record: {receipt.tracking}")


# ------------------------------------------------------------------- import

@click.command("import")
@common_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", required=True, help="填报单位：导入此单位的台账")
@click.option("--dry-run", is_flag=True, help="只列出将登记的问题，不登记")
def import_ledger(session: Session, file: Path, unit: str, dry_run: bool) -> None:
    """导入自查整改台账（.xlsx）；重复导入不会重复登记 / import a self-inspection ledger."""
    plan = plan_import(_read(session, file), unit, session.actor, file.name, system_clock())
    if plan.refusals:
        session.out.fail("台账有误，未登记任何内容：\n"
                         + "\n".join(f"  {r.zh}" for r in plan.refusals),
                         "the ledger has errors; nothing was filed:\n"
                         + "\n".join(f"  {r.en}" for r in plan.refusals))
    outcomes = None if dry_run else session.run(_file_import(session, plan))
    listed = _listed(plan.rows, outcomes)
    new = sum(1 for item in listed if item.get("new"))
    if session.out.format == "json":
        session.out.json({"ok": True, "dry_run": dry_run, "problems": listed,
                          "skipped_sheets": {s.name: s.unit for s in plan.skipped},
                          "new": new, "on_record": 0 if dry_run else len(listed) - new})
        return
    for sheet in plan.skipped:
        session.out.line(f"跳过工作表「{sheet.name}」：填报单位是「{sheet.unit}」",
                         f"skipped sheet {sheet.name!r}: its unit is {sheet.unit!r}")
    _table(session, listed)
    if dry_run:
        session.out.line(f"试运行：共 {len(plan.rows)} 个问题，未登记任何内容",
                         f"dry run: {len(plan.rows)} problems, nothing filed")
    else:
        session.out.line(f"导入完成：新登记 {new} 个问题，已登记过 {len(listed) - new} 个",
                         f"imported: {new} new problems, {len(listed) - new} already on record")


def _read(session: Session, file: Path) -> Ledger:
    try:
        return read_ledger(file)
    except Exception as unreadable:  # openpyxl raises many kinds for a file that is not xlsx
        session.out.fail(f"无法读取 {file.name}：{unreadable}",
                         f"cannot read {file.name}: {unreadable}")


async def _file_import(session: Session, plan: ImportPlan) -> list[RowOutcome]:
    async with connected(session.url()) as client:
        try:
            return await file_import(client, plan, session.actor, session.headers())
        except ImportFailedError as failed:
            session.out.fail(failed.zh, failed.en)


def _listed(rows: list[tuple[LedgerSheet, LedgerRow]],
            outcomes: list[RowOutcome] | None) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = []
    for index, (sheet, row) in enumerate(rows):
        item: dict[str, Any] = {
            "sheet": sheet.name, "row": row.row, "number": row.number, "problem": row.problem,
            "case": row.case, "category": row.category.value,
            "category_inferred": row.category_inferred, "deadline": row.deadline,
            "measures": row.measures, "department": row.department, "leader": row.leader}
        if outcomes is not None:
            outcome = outcomes[index]
            item |= {"problem_id": str(outcome.receipt.problem_id), "new": outcome.new,
                     "proposal": outcome.proposal}
        listed.append(item)
    return listed


def _table(session: Session, listed: list[dict[str, Any]]) -> None:
    t, lang = session.out.t, session.out.lang
    headers = [t("工作表", "sheet"), t("行", "row"), t("序号", "no."), t("执法问题", "problem"),
               t("类别", "category"), t("整改时限", "deadline"), t("结果", "outcome"),
               t("整改方案（四定）", "proposal")]
    proposal_labels = {"proposed": t("已提出，待确认", "proposed"),
                       "on_record": t("已记录过", "on record"), None: ""}
    session.out.table(headers, [[
        i["sheet"], i["row"], i["number"], i["problem"],
        Category(i["category"]).label(lang) + (t("（按文字推断）", " (inferred)")
                                               if i["category_inferred"] else ""),
        i["deadline"],
        "" if "new" not in i else (t("新登记", "new") if i["new"] else t("已登记过", "on record")),
        proposal_labels[i.get("proposal")],
    ] for i in listed])




# --------------------------------------------------------------- standalone

@click.command("gateway")
@click.argument("names", nargs=-1, required=True, type=click.Choice(list(SERVICES)))
@click.option("--nats-url", envvar="RECTIFY_NATS_URL", required=True,
              help="rectify 所用的 NATS / the NATS of the running rectify")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="RECTIFY_DATA_DIR",
              default=DEFAULT_DATA_DIR, show_default=True,
              help="举报人信息密钥所在目录（或设 RECTIFY_REPORTER_KEY）")
def gateway_command(names: tuple[str, ...], nats_url: str, data_dir: Path) -> None:
    """单独运行接入网关，直到 Ctrl-C / run intake gateways on their own until Ctrl-C."""
    settings = Settings(data_dir=data_dir, nats_url=nats_url)
    try:  # never generated here: every gateway must share the one key
        keys = IntakeKeys.for_settings(settings)
    except MissingKeyError as missing:
        raise click.ClickException(f"没有举报人信息密钥 {missing}：请设置与 rectify up 相同的 "
                                   f"RECTIFY_REPORTER_KEY (no reporter key)") from None
    asyncio.run(_serve_gateways(names, settings, keys))


async def _serve_gateways(names: tuple[str, ...], settings: Settings, keys: IntakeKeys) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    endpoints: dict[str, str] = {}
    async with contextlib.AsyncExitStack() as running:
        for name in names:
            await running.enter_async_context(
                SERVICES[name](settings, _gateway_url(settings, name), keys, endpoints))
        click.echo(json.dumps({"endpoints": endpoints}, ensure_ascii=False), nl=True)
        sys.stdout.flush()
        await stop.wait()


def _gateway_url(settings: Settings, name: str) -> str:
    """``--nats-url`` as given when it names a user; else with the gateway's own NATS user
    (``http`` or ``smtp``) from the data directory, when ``rectify nats-config`` made them."""
    url = str(settings.nats_url)
    return url if "@" in urlsplit(url).netloc else user_url(settings.data_dir, url, name)


INTAKE_COMMANDS = (hotline, import_ledger, reporter, gateway_command)
"""Registered by ``services.cli.main``."""
