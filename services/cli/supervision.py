"""Supervision commands: orders (督办), circulars (通报), responses, and the spot-check list.

An order, circular or response concerns either one problem (``--problem``, sent on
``cmd.problem.<verb>``) or a unit as a whole (``--unit``, sent on ``cmd.unit.<verb>``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import click
from pydantic import ValidationError

from events.commands import (
    CircularizeUnit,
    IssueCircular,
    OrderUnit,
    RespondToNotice,
    SelectForSpotCheck,
    Supervise,
    UnitCommand,
    UnitRespond,
)
from events.subjects import SPOT_CHECK_QUERY, unit_command_subject
from events.vocabulary import Notice
from services.cli.client import connected, request
from services.cli.dates import DATE
from services.cli.options import Session, common_options
from services.cli.staff import build_command, send_command
from services.supervision.campaign import CampaignError, campaign_location, load_campaign
from services.supervision.spotcheck import random_draw

TARGET = [
    click.option("--problem", "problem_id", type=click.UUID, default=None, help="针对某个问题"),
    click.option("--unit", default=None, help="针对某个单位"),
]


def _targets(command: Any) -> Any:
    for option in reversed(TARGET):
        command = option(command)
    return command


def _one_target(session: Session, problem_id: UUID | None, unit: str | None) -> None:
    if (problem_id is None) == (unit is None):
        session.out.fail("请用 --problem 或 --unit 指定对象（二选一）",
                         "name exactly one of --problem or --unit")


def send_unit_command(session: Session, model: type[UnitCommand], **fields: Any) -> None:
    """Build one unit command, send it, print the answer (or fail with the reason)."""
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
    if session.out.format == "json":
        session.out.json(reply)
    else:
        session.out.line(f"已记录：{command.unit}（版本 {reply['version']}）",
                         f"recorded: {command.unit} (version {reply['version']})")


@click.command()
@common_options
@_targets
@click.option("--reason", required=True, help="督办事由")
@click.option("--due", type=DATE, default=None, help="回复期限")
def order(session: Session, problem_id: UUID | None, unit: str | None, reason: str,
          due: date | None) -> None:
    """督办：针对问题或单位 / issue a supervision order on a problem or a unit."""
    _one_target(session, problem_id, unit)
    if problem_id is not None:
        send_command(session, build_command(session, Supervise, problem_id=problem_id,
                                            reason=reason, due=due))
    else:
        send_unit_command(session, OrderUnit, unit=unit, reason=reason, due=due)


@click.command()
@common_options
@_targets
@click.option("--reason", required=True, help="通报事由")
@click.option("--due", type=DATE, default=None, help="回复期限")
def circular(session: Session, problem_id: UUID | None, unit: str | None, reason: str,
             due: date | None) -> None:
    """通报：针对问题或单位 / issue a circular on a problem or a unit."""
    _one_target(session, problem_id, unit)
    if problem_id is not None:
        send_command(session, build_command(session, IssueCircular, problem_id=problem_id,
                                            reason=reason, due=due))
    else:
        send_unit_command(session, CircularizeUnit, unit=unit, reason=reason, due=due)


@click.command()
@common_options
@_targets
@click.option("--order", "order_number", type=int, default=None, help="回复第 N 号督办")
@click.option("--circular", "circular_number", type=int, default=None, help="回复第 N 号通报")
@click.option("--response", required=True, help="回复内容")
def respond(session: Session, problem_id: UUID | None, unit: str | None,
            order_number: int | None, circular_number: int | None, response: str) -> None:
    """回复督办或通报 / respond to an order or a circular."""
    _one_target(session, problem_id, unit)
    if (order_number is None) == (circular_number is None):
        session.out.fail("请用 --order N 或 --circular N 指明回复哪一个（二选一）",
                         "name exactly one of --order N or --circular N")
    notice = Notice.ORDER if order_number is not None else Notice.CIRCULAR
    number = order_number if order_number is not None else circular_number
    if problem_id is not None:
        send_command(session, build_command(session, RespondToNotice, problem_id=problem_id,
                                            notice=notice, number=number, response=response))
    else:
        send_unit_command(session, UnitRespond, unit=unit, notice=notice, number=number,
                          response=response)


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
    for unit in random_draw(campaign.units, count, seed):
        send_unit_command(session, SelectForSpotCheck, unit=unit,
                          reason=f"随机抽查（种子 {seed}）", seed=seed)


SUPERVISION_COMMANDS = (order, circular, respond, spot_check)
