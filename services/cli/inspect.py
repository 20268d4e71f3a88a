"""Looking at the record: a problem's history, the event stream, the system's status, schemas."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any
from uuid import UUID

import click
from nats.js.api import ConsumerConfig, DeliverPolicy

from events.schema import write_schemas
from events.subjects import (
    EVENTS_STREAM,
    EVENTS_SUBJECTS,
    HISTORY_QUERY,
    PROBLEM_QUERY,
    STATUS_QUERY,
)
from services.cli.client import connected, request
from services.cli.describe import headers, row
from services.cli.options import Session, common_options
from services.cli.read_access import asked


@click.command()
@common_options
@click.argument("problem_id", metavar="PROBLEM", type=click.UUID)
def history(session: Session, problem_id: UUID) -> None:
    """问题的全部记录：何时、何人、做了什么、经由何渠道 / every event of one problem."""
    async def fetch() -> dict[str, Any]:
        async with connected(session.url()) as client:
            found = await request(client, PROBLEM_QUERY, {"problem_id": str(problem_id)})
            if found.get("ok"):  # an unknown problem is said so below, to anyone
                await asked(client, session, "history", str(found["unit"]))
            return await request(client, HISTORY_QUERY, {"problem_id": str(problem_id)})

    answer = session.run(fetch())
    if not answer.get("ok"):
        error = answer.get("error") or {}
        session.out.fail(error.get("zh", "查询失败"), error.get("en", "query failed"))
    events: list[dict[str, Any]] = answer["events"]
    if session.out.format == "json":
        session.out.json(events)
        return
    lang = session.out.lang
    session.out.table(["#", *headers(lang)],
                      [[str(n), *row(e, lang)] for n, e in enumerate(events, start=1)])


@click.group()
def events() -> None:
    """事件流 / the EVENTS stream."""


@events.command()
@common_options
@click.option("--from", "start", type=int, default=None, help="从第 N 条开始（默认最后 20 条）")
@click.option("--follow", "-f", is_flag=True, help="持续输出新事件，Ctrl-C 结束")
def tail(session: Session, start: int | None, follow: bool) -> None:
    """显示事件流 / print events from the EVENTS stream."""
    async def read() -> None:
        async with connected(session.url()) as client:
            await asked(client, session, "events", None)
            js = client.jetstream()
            last = (await js.stream_info(EVENTS_STREAM)).state.last_seq
            first = start if start is not None else max(1, last - 19)
            if first > last and not follow:
                return
            sub = await js.subscribe(
                EVENTS_SUBJECTS, ordered_consumer=True,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                      opt_start_seq=first),
            )
            async for msg in sub.messages:
                _print_event(session, msg.metadata.sequence.stream, json.loads(msg.data))
                if not follow and msg.metadata.sequence.stream >= last:
                    break

    with contextlib.suppress(KeyboardInterrupt):
        session.run(read())


def _print_event(session: Session, sequence: int, event: dict[str, Any]) -> None:
    if session.out.format == "json":
        click.echo(json.dumps({"sequence": sequence, "event": event}, ensure_ascii=False))
        return
    cells = row(event, session.out.lang)
    click.echo(f"{sequence:>6}  {cells[0]}  {event['unit']}  {cells[1]}  {cells[2]}  "
               f"{event.get('problem_id', '-')}  {cells[5]}")


@click.command()
@common_options
def status(session: Session) -> None:
    """运行状态：各组件地址、各流位置、事件库位置、转发延迟 / what runs where."""
    async def fetch() -> dict[str, Any]:
        async with connected(session.url()) as client:
            return await request(client, STATUS_QUERY, b"")

    info = session.run(fetch())
    if session.out.format == "json":
        session.out.json(info)
        return
    t = session.out.t
    session.out.table([t("项目", "item"), t("值", "value")], [
        [t("进程", "process"), info["pid"]],
        ["NATS", info["nats_url"]],
        [t("数据目录", "data directory"), info["data_dir"]],
        [t("事件库", "event store"), info["store"]],
        *[[t(f"端点 {k}", f"endpoint {k}"), v] for k, v in info["endpoints"].items()],
        *[[t(f"流 {k} 最后序号", f"stream {k} last sequence"), s["last_seq"]]
          for k, s in info["streams"].items()],
        [t("事件库位置", "event store position"), info["store_position"]],
        [t("转发延迟", "relay lag"), info["relay_lag"]],
        [t("读模型库", "read-model store"), info["read_store"]],
        *[[t(f"投影 {k} 位置（延迟）", f"projection {k} position (lag)"),
           f"{p['position']} ({p['lag']})"] for k, p in info["projections"].items()],
        *[[t(f"重启 {k}", f"restarts {k}"), n] for k, n in info["restarts"].items() if n],
        *[[t(f"告警 {k}", f"ALARM {k}"), why[session.out.lang]]
          for k, why in info["alarms"].items()],
    ])


@click.command()
@click.option("-o", "--output", "directory", type=click.Path(path_type=Path),
              default=Path("schemas"), show_default=True)
def schema(directory: Path) -> None:
    """写出每个事件与提交内容的 JSON Schema / write the JSON Schemas."""
    for path in write_schemas(directory):
        click.echo(str(path))


