"""Supervision commands: the spot checks here, orders and circulars in ``services.cli.notices``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from events.commands import RecordSpotCheck, SelectForSpotCheck, UnitCommand
from events.subjects import SPOT_CHECK_QUERY, unit_command_subject
from events.vocabulary import Category, SpotCheckMethod, SpotCheckResult
from projections.models.facts import local_date
from projections.models.spot_checks import SpotCheckLine, read_spot_checks
from services.cli.client import connected, request
from services.cli.notices import NOTICE_COMMANDS
from services.cli.options import Session, common_options
from services.cli.reading import READ_STORE, ReadSource, open_store
from services.cli.sending import built
from services.cli.spot_check_findings import file_finding
from services.cli.staff import VocabularyParam
from services.supervision.campaign import CampaignError, campaign_location, load_campaign
from services.supervision.spotcheck import random_draw


def send_unit_command(session: Session, model: type[UnitCommand], **fields: Any) -> None:
    """Build one unit command, send it, print the answer (or fail with the reason)."""
    reply = unit_reply(session, model, **fields)
    if session.out.format == "json":
        session.out.json(reply)
    else:
        _recorded(session, reply)


def _recorded(session: Session, reply: dict[str, Any]) -> None:
    session.out.line(f"已记录：{reply['unit']}（版本 {reply['version']}）",
                     f"recorded: {reply['unit']} (version {reply['version']})")



def unit_answer(session: Session, model: type[UnitCommand], **fields: Any) -> dict[str, Any]:
    """Build one unit command and send it: the reply, recorded or refused."""
    command = built(session, model, **fields)

    async def send() -> dict[str, Any]:
        async with connected(session.url()) as client:
            return await request(client, unit_command_subject(command.verb),
                                 command.model_dump_json().encode(), headers=session.headers())

    return session.run(send())


def unit_reply(session: Session, model: type[UnitCommand], **fields: Any) -> dict[str, Any]:
    """Build one unit command and send it: the reply, or a failure with the reason."""
    reply = unit_answer(session, model, **fields)
    if not reply.get("ok"):
        error = reply.get("error") or {}
        session.out.fail(error.get("zh", "被拒绝"), error.get("en", "refused"),
                         extra={"code": error.get("code")})
    return reply


@click.group("spot-check")
def spot_check() -> None:
    """重点抽查 / spot checks of units that reported few or no problems."""


@spot_check.command("list")
@common_options
def spot_check_list(session: Session) -> None:
    """重点抽查名单（问题零报告、问题较少的单位）/ the ranked spot-check list."""
    async def fetch() -> dict[str, Any]:
        async with connected(session.url()) as client:
            return await request(client, SPOT_CHECK_QUERY, b"")

    answer = session.run(fetch())
    if session.out.format == "json":
        session.out.json(answer)
        return
    t, lang = session.out.t, session.out.lang
    if not answer["collection_over"]:
        session.out.line(f"注意：问题收集阶段到 {answer['collection_end']} 才结束，名单仍会变化",
                         f"note: collection runs until {answer['collection_end']}; "
                         "the list may still change")
    session.out.table(
        [t("序号", "rank"), t("单位", "unit"), t("自查问题", "self-inspection"),
         t("群众反映", "public reports"), t("理由", "reason"), t("已列入抽查", "selected")],
        [[e["rank"], e["unit"], e["self_inspection"], e["public"],
          e["zh"] if lang == "zh" else e["en"], t("是", "yes") if e["selected"] else ""]
         for e in answer["entries"]],
    )


@spot_check.command("select")
@common_options
@click.argument("unit")
@click.option("--reason", required=True, help="抽查理由")
def spot_check_select(session: Session, unit: str, reason: str) -> None:
    """将单位列入重点抽查 / select a unit for a spot check."""
    send_unit_command(session, SelectForSpotCheck, unit=unit, reason=reason)


@spot_check.command("draw")
@common_options
@click.option("--count", type=click.IntRange(1), required=True, help="抽取单位数")
@click.option("--seed", type=int, required=True,
              help="随机种子（记录在案；同一种子抽中同样的单位）")
@click.option("--campaign", "campaign_file", type=click.Path(path_type=Path), default=None,
              help="专项整治行动文件（单位名单）")
def spot_check_draw(session: Session, count: int, seed: int,
                    campaign_file: Path | None) -> None:
    """随机抽查：用给定种子从本次行动的单位中抽取 / draw units at random, with a recorded seed."""
    try:
        campaign = load_campaign(campaign_location(campaign_file, session.data_dir))
    except CampaignError as broken:
        session.out.fail(broken.zh, broken.en)
    drawn = random_draw(campaign.units, count, seed)
    answers = {unit: unit_answer(session, SelectForSpotCheck, unit=unit,
                                 reason=f"随机抽查（种子 {seed}）", seed=seed) for unit in drawn}
    # A unit chosen earlier stays chosen (the draw goes on); any other refusal is the answer.
    already = [u for u, a in answers.items() if not a.get("ok")
               and (a.get("error") or {}).get("code") == "already_selected"]
    for unit, answer in answers.items():
        if not answer.get("ok") and unit not in already:
            error = answer.get("error") or {}
            session.out.fail(error.get("zh", "被拒绝"), error.get("en", "refused"),
                             extra={"code": error.get("code")})
    replies = [a for a in answers.values() if a.get("ok")]
    if session.out.format == "json":  # one document for the whole draw
        session.out.json({"ok": True, "seed": seed, "count": count, "units": drawn,
                          "selected": replies, "already_selected": already})
        return
    for reply in replies:
        _recorded(session, reply)
    if already:
        session.out.line(f"此前已列入抽查：{'、'.join(already)}",
                         f"already selected earlier: {', '.join(already)}")


@spot_check.command("record")
@common_options
@click.argument("unit")
@click.option("--method", "methods", multiple=True, required=True,
              type=VocabularyParam(SpotCheckMethod),
              help="抽查方式：听取汇报/评查案卷/回访行政相对人/实地查看/其他方式（可多次）")
@click.option("--findings", required=True, help="发现的问题和情况")
@click.option("--result", required=True, type=VocabularyParam(SpotCheckResult),
              help="结论：自查整改到位/基本到位，须补充整改/自查不深入、整改不到位")
@click.option("--conclusion", default=None, help="结论的说明")
@click.option("--problem", "problems", multiple=True,
              help="抽查发现的问题，作为「重点抽查」渠道登记（可多次）")
@click.option("--category", type=VocabularyParam(Category), default=None,
              help="所登记问题的类别（有 --problem 时必填）")
@click.option("--case", "case_text", default=None, help="所登记问题的执法案例（默认为发现）")
def spot_check_record(session: Session, unit: str, methods: tuple[SpotCheckMethod, ...],
                      findings: str, result: SpotCheckResult, conclusion: str | None,
                      problems: tuple[str, ...], category: Category | None,
                      case_text: str | None) -> None:
    """记录抽查方式、发现和结论；发现的问题登记为「重点抽查」渠道的问题 / record a spot check."""
    if problems and category is None:
        session.out.fail("登记抽查发现的问题须用 --category 指明类别",
                         "filing the findings' problems needs --category")
    fields = {"unit": unit, "methods": methods, "findings": findings, "result": result,
              "conclusion": conclusion}
    built(session, RecordSpotCheck, **fields)  # refuse bad input before filing anything
    filed = [file_finding(session, unit, finding, category, case_text or findings)
             for finding in problems if category is not None]
    send_unit_command(session, RecordSpotCheck, **fields, problems=tuple(filed))


@spot_check.command("results")
@common_options
@click.option("--unit", default=None, help="只看某个单位")
@READ_STORE
def spot_check_results(session: Session, unit: str | None, read_store: ReadSource) -> None:
    """抽查结果：方式、发现、结论和登记的问题 / spot checks recorded, with what they found."""
    store = open_store(session, read_store)
    try:
        found = read_spot_checks(store, unit)
    finally:
        store.close()
    if session.out.format == "json":
        session.out.json({"spot_checks": [spot_check_json(c) for c in found]})
        return
    t, lang = session.out.t, session.out.lang
    session.out.table(
        [t("单位", "unit"), t("日期", "on"), t("方式", "methods"), t("发现", "findings"),
         t("结论", "result"), t("登记问题", "problems filed")],
        [[c.unit, local_date(c.recorded_at).isoformat(),
          "、".join(m.label(lang) for m in c.methods), c.findings,
          c.result.label(lang) + (f"（{c.conclusion}）" if c.conclusion else ""),
          len(c.problems)] for c in found])


def spot_check_json(check: SpotCheckLine) -> dict[str, Any]:
    return {"unit": check.unit, "methods": [m.value for m in check.methods],
            "findings": check.findings, "result": check.result.value,
            "conclusion": check.conclusion or None, "problems": list(check.problems),
            "recorded_at": check.recorded_at.isoformat(), "recorded_by": check.recorded_by}


SUPERVISION_COMMANDS = (*NOTICE_COMMANDS, spot_check)
