"""``rectify repair``: compare EVENTS with the event store; ``--apply`` makes it again from it."""

from __future__ import annotations

from typing import Any

import click

from events.subjects import REPAIR_COMMAND
from services.cli.client import connected, request
from services.cli.options import Session, common_options

REPAIR_TIMEOUT_SECONDS = 1800.0
_KINDS = {"missing": ("缺失", "missing"), "altered": ("被改动", "altered"),
          "extra": ("多出", "extra")}


@click.command()
@common_options
@click.option("--apply", is_flag=True,
              help="由事件库重建 EVENTS 并重建全部读模型 / rebuild EVENTS from the event store")
def repair(session: Session, apply: bool) -> None:
    """核对 EVENTS 与事件库，列出缺失、改动、多出的消息 / check EVENTS against the store.

    Exit 0: EVENTS equals the store (or was repaired); 1: differences found and not repaired.
    """
    async def ask() -> dict[str, Any]:
        async with connected(session.admin_url()) as client:
            return await request(client, REPAIR_COMMAND, {"apply": apply},
                                 timeout=REPAIR_TIMEOUT_SECONDS)

    if apply:
        click.echo(session.out.t("正在由事件库重建 EVENTS（期间投影暂停）…",
                                 "rebuilding EVENTS from the event store (projections paused)…"),
                   err=True)
    answer = session.run(ask())
    if not answer.get("ok"):
        error = answer.get("error") or {}
        session.out.fail(error.get("zh", "修复失败"), error.get("en", "repair failed"))
    if session.out.format == "json":
        session.out.json(answer)
    else:
        _describe(session, answer)
    if answer["counts"] and not answer["applied"]:
        raise SystemExit(1)


def _describe(session: Session, answer: dict[str, Any]) -> None:
    t = session.out.t
    counts: dict[str, int] = answer["counts"]
    session.out.line(
        f"事件库位置 {answer['store_position']}，EVENTS 最后序号 {answer['stream_last']}",
        f"event store at {answer['store_position']}, EVENTS last sequence "
        f"{answer['stream_last']}")
    if not counts:
        session.out.line("EVENTS 与事件库一致", "EVENTS equals the event store")
    else:
        summary = t("，", ", ").join(f"{t(*_KINDS[k])} {n}" for k, n in counts.items())
        session.out.line(f"发现差异：{summary}", f"differences: {summary}")
        session.out.table([t("序号", "sequence"), t("差异", "difference"), t("说明", "detail")],
                          [[d["sequence"], t(*_KINDS[d["kind"]]), d[session.out.lang]]
                           for d in answer["differences"]])
    if answer["applied"]:
        session.out.line(f"已由事件库重建 EVENTS，读模型已重建至第 {answer['rebuilt_to']} 条",
                         f"EVENTS rebuilt from the event store; read models rebuilt to "
                         f"{answer['rebuilt_to']}")
    elif counts:
        session.out.line("运行 rectify repair --apply 由事件库修复",
                         "run `rectify repair --apply` to restore it from the event store")
