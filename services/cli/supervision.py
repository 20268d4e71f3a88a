"""Supervision commands: the spot checks here, orders and circulars in ``services.cli.notices``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from events.commands import SelectForSpotCheck, UnitCommand
from events.subjects import SPOT_CHECK_QUERY, unit_command_subject
from services.cli.client import connected, request
from services.cli.notices import NOTICE_COMMANDS
from services.cli.options import Session, common_options
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


def unit_reply(session: Session, model: type[UnitCommand], **fields: Any) -> dict[str, Any]:
    """Build one unit command and send it: the reply, or a failure with the reason."""
    try:
        command = model(actor=session.actor, **fields)
    except ValidationError as invalid:
        first = invalid.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        session.out.fail(f"参数无效：{where}：{first['msg']}", f"invalid {where}: {first['msg']}")

    async def send() -> dict[str, Any]:
        async with connected(session.url()) as client:
            return await request(client, unit_command_subject(command.verb),
                                 command.model_dump_json().encode(), headers=session.headers())

    reply = session.run(send())
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
    replies = [unit_reply(session, SelectForSpotCheck, unit=unit,
                          reason=f"随机抽查（种子 {seed}）", seed=seed)
               for unit in random_draw(campaign.units, count, seed)]
    if session.out.format == "json":  # one document for the whole draw
        session.out.json({"ok": True, "seed": seed, "count": count,
                          "units": [r["unit"] for r in replies], "selected": replies})
    else:
        for reply in replies:
            _recorded(session, reply)


SUPERVISION_COMMANDS = (*NOTICE_COMMANDS, spot_check)
