"""Reading the read models: ledger, trail, statistics, board; rebuilding and running projections.

These commands open the read-model store directly (SQLite in the data directory, or the
PostgreSQL DSN the running ``rectify up`` announced), so they answer even while NATS is busy.
``--as-of`` and ``rebuild`` read the EVENTS stream and so need the running NATS.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import click
import nats

from events.seal import SealKey
from events.vocabulary import Category
from projections.engine.catalog import PROJECTORS, projectors
from projections.engine.projector import stale_models
from projections.engine.rebuild import build_as_of, rebuild
from projections.engine.service import open_read_store, run_projections
from projections.engine.store import ReadStore
from projections.exports.ledger_files import FORMATS, ExportFormat, csv_document, export
from projections.exports.outgoing import ExportError
from projections.models.facts import CHINA_TIME, local_date
from projections.models.ledger import read_ledger
from projections.models.problems import problems_of
from projections.models.stats import Statistics, Totals, read_stats
from projections.models.supervision import read_notices
from projections.models.trail import Dimension, accountability, actions_of
from services.cli.dates import parse_date, parse_datetime
from services.cli.describe import event_label
from services.cli.freshness import check_freshness, stale_notice
from services.cli.notice_view import notice_cells, notice_headers, notice_record
from services.cli.options import Session, common_options
from services.cli.progress import ProgressLine
from services.cli.read_access import check_read
from services.clock import system_clock
from services.runtime.config import (
    READ_MODELS_FILE,
    MissingSealKeyError,
    load_seal_key,
    read_runtime,
)
from services.runtime.faults import is_passing

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ReadSource:
    """Which read-model store to read, and whether a halted projection's views may be read."""

    location: str | None
    stale_ok: bool


def READ_STORE(command: F) -> F:  # noqa: N802  (reads as the option it adds)
    """``--read-store`` and ``--stale-ok``, given to the command as ``read_store: ReadSource``."""
    @functools.wraps(command)
    def wrapper(*args: Any, read_store_location: str | None, stale_ok: bool,
                **kwargs: Any) -> Any:
        return command(*args, read_store=ReadSource(read_store_location, stale_ok), **kwargs)

    with_location = click.option(
        "--read-store", "read_store_location", envvar="RECTIFY_READ_STORE", default=None,
        help="读模型库（默认取自运行中的 rectify 或数据目录）/ read-model store")
    with_stale_ok = click.option(
        "--stale-ok", is_flag=True,
        help="投影已停止时仍输出（数据可能不是最新）/ read even while projections are halted")
    return cast(F, with_stale_ok(with_location(wrapper)))
OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                      default=None, help="写入文件 / write to this file")
NAMES = click.argument("names", nargs=-1, type=click.Choice(list(PROJECTORS)))


class MomentParam(click.ParamType[datetime]):
    """A moment in China time; a date alone means the end of that day (what it showed then)."""

    name = "DATETIME"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        text = str(value)
        try:
            day = parse_date(text)
        except ValueError:
            try:
                return parse_datetime(text).replace(tzinfo=None).replace(tzinfo=CHINA_TIME)
            except ValueError:
                self.fail(f"无法识别的时间 {value!r}（例如 2023-03-05 或 2023-03-05 18:00）",
                          param, ctx)
        return datetime.combine(day + timedelta(days=1), time(), CHINA_TIME) - \
            timedelta(microseconds=1)


AS_OF = click.option("--as-of", type=MomentParam(), default=None,
                     help="按某一时刻的状态（只写日期即当天结束时）/ as it stood at that moment")


def seal_key(session: Session) -> SealKey:
    """The relay's seal key of this data directory: only sealed events are read."""
    try:
        return load_seal_key(session.data_dir)
    except MissingSealKeyError as missing:
        session.out.fail(str(missing), str(missing))


def today_in_china() -> date:
    return local_date(system_clock())


def store_location(session: Session, source: ReadSource) -> str:
    runtime = read_runtime(session.data_dir) or {}
    return source.location or str(runtime.get("read_store") or "") or str(
        session.data_dir / READ_MODELS_FILE)


def open_store(session: Session, source: ReadSource) -> ReadStore:
    """The read models of the running (or last run) rectify, refused if built by old code;
    how current they are is said (and a halt refuses, unless ``--stale-ok``)."""
    store = open_fresh_enough(session, source)
    check_freshness(session, store, source.stale_ok)
    return store


def open_fresh_enough(session: Session, source: ReadSource) -> ReadStore:
    """The read models, refused if missing or built by old code; freshness not looked at."""
    location = store_location(session, source)
    if "://" not in location and not Path(location).exists():
        session.out.fail(f"还没有读模型 {location}：请先运行 rectify up（或 rectify project）",
                         f"no read models at {location} yet: run `rectify up` "
                         "(or `rectify project`) first")
    store = open_read_store(location)
    if stale := stale_models(store, projectors()):
        store.close()
        names = ", ".join(f"{m.name} v{m.built_by}→v{m.current}" for m in stale)
        session.out.fail(f"读模型由旧版本生成（{names}）：请运行 rectify rebuild，"
                         "或启动 rectify up（会自动重建）",
                         f"read models were built by an older version ({names}): run "
                         "`rectify rebuild`, or start `rectify up` (it rebuilds them)")
    return store


async def views_as_of(session: Session, moment: datetime, names: Sequence[str]) -> ReadStore:
    client = await nats.connect(session.url(), connect_timeout=3)
    try:
        progress = ProgressLine(session.out, f"重建 {moment:%Y-%m-%d %H:%M} 时的视图",
                                f"building the view as of {moment:%Y-%m-%d %H:%M}")
        store = await build_as_of(client.jetstream(), moment, names=names, on_progress=progress,
                                  key=seal_key(session))
        progress.done()
        return store
    finally:
        await client.close()


def exported(session: Session, make: Callable[[], bytes]) -> bytes:
    """The export's bytes; when it cannot be made whole, one line saying so and exit 1."""
    try:
        return make()
    except ExportError as broken:
        session.out.fail(f"导出失败：{broken}", f"export failed: {broken}")


def emit(session: Session, data: bytes, output: Path | None, default_name: str) -> None:
    """Bytes to the file asked for, whole or not at all; a workbook or document never to a
    terminal (to a named file instead)."""
    if output is None and session.out.format in ("xlsx", "docx") and sys.stdout.isatty():
        output = Path(default_name)
    if session.out.format == "json" and session.out.annotations:  # e.g. how current it is
        document = {**json.loads(data), **session.out.annotations}
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    partial = output.with_name(f".{output.name}.part")
    try:
        partial.write_bytes(data)
        partial.replace(output)
    except OSError as failure:
        partial.unlink(missing_ok=True)
        session.out.fail(f"无法写入 {output}：{failure.strerror or failure}",
                         f"cannot write {output}: {failure.strerror or failure}")
    session.out.line(f"已写入 {output}", f"written to {output}")


@click.command()
@common_options(formats=FORMATS)
@click.option("--unit", default=None, help="只看此单位 / only this unit")
@AS_OF
@OUTPUT
@READ_STORE
def ledger(session: Session, unit: str | None, as_of: datetime | None, output: Path | None,
           read_store: ReadSource) -> None:
    """整改台账（样表格式）/ the rectification ledger in the notice's template."""
    check_read(session, "ledger", unit)
    if as_of is not None:
        store = session.run(views_as_of(session, as_of, ["ledger", "supervision"]))
        today = local_date(as_of)
    else:
        store, today = open_store(session, read_store), today_in_china()
    try:
        ledgers = read_ledger(store, today, unit)
    finally:
        store.close()
    if unit is not None and not ledgers:
        session.out.fail(f"没有“{unit}”的台账", f"no ledger for {unit!r}")
    fmt: ExportFormat = session.out.format  # type: ignore[assignment]  # one of FORMATS
    stamp = (as_of.date() if as_of else today).isoformat()
    notice = stale_notice(session)
    emit(session, exported(session, lambda: export(ledgers, fmt, notice)), output,
         f"整改台账-{unit or '全部单位'}-{stamp}.xlsx")


_TALLY_HEADERS = (("已分派", "assigned"), ("未销号", "open"), ("按期销号", "closed on time"),
                  ("超期销号", "closed late"), ("当前超期", "overdue now"),
                  ("被退回", "sent back"), ("重新打开", "reopened"), ("督办", "orders"),
                  ("通报", "circulars"), ("督办逾期未回复", "responses overdue"))
_DIMENSIONS: dict[str, tuple[str, str]] = {"leader": ("责任领导", "leader"),
                                           "department": ("责任部门", "department"),
                                           "unit": ("单位", "unit")}


def _day(moment: datetime | None) -> str:
    return local_date(moment).isoformat() if moment else ""


@click.command()
@common_options(formats=("table", "json", "csv"))
@click.option("--leader", default=None, help="责任领导 / responsible leader")
@click.option("--department", default=None, help="责任部门 / responsible department")
@click.option("--unit", default=None, help="单位 / unit")
@click.option("--actor", "person", default=None,
              help="操作人：其全部操作 / every action of this person")
@click.option("--by", type=click.Choice(list(_DIMENSIONS)), default=None,
              help="列出全部责任领导/部门/单位的汇总 / a summary line for each")
@READ_STORE
def trail(session: Session, leader: str | None, department: str | None, unit: str | None,
          person: str | None, by: str | None, read_store: ReadSource) -> None:
    """责任追溯：按责任领导、部门、单位或操作人 / accountability trail."""
    chosen = {k: v for k, v in (("leader", leader), ("department", department), ("unit", unit),
                                ("actor", person)) if v is not None}
    if len(chosen) + (by is not None) != 1:
        session.out.fail("请给出且只给出 --leader、--department、--unit、--actor、--by 之一",
                         "give exactly one of --leader, --department, --unit, --actor, --by",
                         code=2)
    check_read(session, "trail", unit)
    store, today = open_store(session, read_store), today_in_china()
    try:
        if by is not None:
            _tallies(session, store, by, today)
        elif person is not None:
            _actions(session, store, person)
        else:
            ((dimension, who),) = chosen.items()
            _answerable(session, store, dimension, who, today)
    finally:
        store.close()


def _tallies(session: Session, store: ReadStore, by: str, today: date) -> None:
    dimension: Dimension = by  # type: ignore[assignment]  # checked by click
    lines = accountability(store, dimension, today)
    t = session.out.t
    headers = [t(*_DIMENSIONS[by]), *(t(zh, en) for zh, en in _TALLY_HEADERS)]
    rows = [list(vars(line).values()) for line in lines]
    _rows_out(session, headers, rows, [vars(line) for line in lines])


def _answerable(session: Session, store: ReadStore, by: str, who: str, today: date) -> None:
    dimension: Dimension = by  # type: ignore[assignment]  # one of the three
    problems = problems_of(store, dimension, who)
    summary = next((line for line in accountability(store, dimension, today) if line.who == who),
                   None)
    if summary is None:
        session.out.fail(f"没有记在“{who}”名下的问题", f"no problems answerable to {who!r}")
    assert summary is not None  # fail() exits
    notices = [n for n in read_notices(store, who) if not n.problem_id] if by == "unit" else []
    t = session.out.t
    headers = [t("问题", "problem"), t("单位", "unit"), t("状态", "status"),
               t("报告日", "reported"), t("分派日", "assigned"), t("整改时限", "deadline"),
               t("销号日", "closed"), t("超期", "overdue"), t("退回", "sent back"),
               t("重新打开", "reopened"), t("督办", "orders")]
    yes = t("是", "yes")
    rows = [[p.problem, p.unit, p.status.label(session.out.lang), _day(p.reported_at),
             _day(p.assigned_at), p.deadline.isoformat() if p.deadline else "",
             _day(p.closed_at), yes if p.overdue(today) or p.closed_late() else "",
             p.sent_back, p.reopened, p.orders] for p in problems]
    records = [{"problem_id": p.problem_id, "problem": p.problem, "unit": p.unit,
                "status": p.status.value, "reported_on": _day(p.reported_at),
                "assigned_on": _day(p.assigned_at) or None,
                "deadline": p.deadline.isoformat() if p.deadline else None,
                "closed_on": _day(p.closed_at) or None, "overdue_now": p.overdue(today),
                "closed_late": p.closed_late(), "sent_back": p.sent_back,
                "reopened": p.reopened, "supervision_orders": p.orders} for p in problems]
    if session.out.format == "json":
        session.out.json({"by": by, "who": who, "as_of": today.isoformat(),
                          "summary": vars(summary), "problems": records,
                          "unit_notices": [notice_record(n) for n in notices]})
        return
    if session.out.format == "table":
        counts = t("，", ", ").join(f"{t(zh, en)} {value}" for (zh, en), value in
                          zip(_TALLY_HEADERS, list(vars(summary).values())[1:], strict=True))
        session.out.line(f"{t(*_DIMENSIONS[by])}：{who}（截至 {today}）{counts}",
                         f"{t(*_DIMENSIONS[by])}: {who} (as of {today}) {counts}")
    _rows_out(session, headers, rows, records)
    if notices and session.out.format == "table":
        session.out.line("\n对本单位的督办、通报：", "\nOrders and circulars to the unit:")
        session.out.table(notice_headers(session), [notice_cells(session, n, today)
                                                     for n in notices])


def _actions(session: Session, store: ReadStore, actor: str) -> None:
    actions = actions_of(store, actor)
    if not actions:
        session.out.fail(f"没有“{actor}”的操作记录", f"no actions by {actor!r}")
    t = session.out.t
    headers = [t("位置", "position"), t("时间", "time"), t("操作", "action"),
               t("问题", "problem"), t("单位", "unit"), t("经由", "via")]
    rows = [[a.position, a.occurred_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M"),
             event_label(a.type, session.out.lang), a.problem_id, a.unit, a.via]
            for a in actions]
    records = [{"position": a.position, "occurred_at": a.occurred_at.isoformat(),
                "type": a.type, "problem_id": a.problem_id or None, "unit": a.unit,
                "via": a.via}
               for a in actions]
    _rows_out(session, headers, rows, records)


def _rows_out(session: Session, headers: Sequence[str], rows: Sequence[Sequence[object]],
              records: Sequence[dict[str, Any]]) -> None:
    if session.out.format == "json":
        session.out.json(list(records))
    elif session.out.format == "csv":
        emit(session, csv_document(headers, rows), None, "")
    else:
        session.out.table(headers, rows)


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _totals_record(totals: Totals) -> dict[str, Any]:
    return {**vars(totals), "closure_rate": totals.closure_rate,
            "on_time_rate": totals.on_time_rate}


@click.command()
@common_options(formats=("table", "json", "xlsx"))
@OUTPUT
@READ_STORE
def stats(session: Session, output: Path | None, read_store: ReadSource) -> None:
    """统计：按单位、类别、状态、渠道计数，销号率与按期销号率 / statistics."""
    check_read(session, "stats", None)
    store, today = open_store(session, read_store), today_in_china()
    try:
        figures = read_stats(store, today)
    finally:
        store.close()
    if session.out.format == "json":
        session.out.json({
            "as_of": today.isoformat(),
            "cells": [{"unit": c.unit, "category": c.category.value, "status": c.status.value,
                       "channel": c.channel.value, "count": c.count} for c in figures.cells],
            "units": [_totals_record(u) for u in figures.units],
            "total": _totals_record(figures.total),
            "by_category": {u.unit or "": {c.value: n for c, n in figures.by_category(
                u.unit or None).items()} for u in (*figures.units, figures.total)}})
        return
    if session.out.format == "xlsx":
        from projections.exports.stats_workbook import stats_to_xlsx

        notice = stale_notice(session)
        emit(session, exported(session, lambda: stats_to_xlsx(figures, today, notice)), output,
             f"统计-{today}.xlsx")
        return
    _stats_tables(session, figures)


def _stats_tables(session: Session, figures: Statistics) -> None:
    t, lang = session.out.t, session.out.lang
    total = t("合计", "total")
    session.out.table(
        [t("单位", "unit"), t("问题数", "reported"), t("应整改", "to rectify"),
         t("已销号", "closed"), t("按期销号", "closed on time"), t("当前超期", "overdue"),
         t("销号率", "closure rate"), t("按期率", "on-time rate")],
        [[u.unit or total, u.reported, u.to_rectify, u.closed, u.closed_on_time, u.overdue,
          _rate(u.closure_rate), _rate(u.on_time_rate)]
         for u in (*figures.units, figures.total)])
    session.out.table(
        [t("单位", "unit"), t("类别", "category"), t("状态", "status"), t("渠道", "channel"),
         t("数量", "count")],
        [[c.unit, c.category.label(lang), c.status.label(lang), c.channel.label(lang), c.count]
         for c in figures.cells])
    columns = (*figures.units, figures.total)
    per_unit = [figures.by_category(u.unit or None) for u in columns]
    session.out.table(
        [t("类别", "category"), *(u.unit or total for u in columns)],
        [[category.label(lang), *(counts[category] for counts in per_unit)]
         for category in Category])


@click.command("rebuild")
@common_options
@NAMES
@AS_OF
@OUTPUT
@READ_STORE
def rebuild_command(session: Session, names: tuple[str, ...], as_of: datetime | None,
                    output: Path | None, read_store: ReadSource) -> None:
    """从事件流重建读模型并原子切换；--as-of 另建某时刻的视图 / rebuild the read models.

    A rebuild replays EVENTS into a new generation of every read model while the live one keeps
    serving, then swaps it in at once; NAMES limit what an --as-of build makes.
    """
    if as_of is not None:
        target = output or session.data_dir / f"as-of-{as_of:%Y%m%d-%H%M%S}.sqlite3"
        if target.exists():
            session.out.fail(f"{target} 已存在", f"{target} already exists")
        built = session.run(_as_of_into(session, as_of, names, target))
        if session.out.format == "json":
            session.out.json({"ok": True, "as_of": as_of.isoformat(), "file": str(target),
                              "position": built})
            return
        session.out.line(f"已建 {as_of:%Y-%m-%d %H:%M} 时的视图：{target}（至位置 {built}）",
                         f"built the view as of {as_of:%Y-%m-%d %H:%M}: {target} "
                         f"(up to position {built})")
        return
    if names:
        session.out.fail("整体重建总是重放全部读模型（读者按代切换）；NAME 仅用于 --as-of",
                         "a live rebuild always replays every read model (readers switch whole "
                         "generations); NAME applies to --as-of", code=2)
    store = open_fresh_enough(session, read_store)
    try:
        reached = session.run(_rebuild(session, store))
    finally:
        store.close()
    if session.out.format == "json":
        session.out.json({"ok": True, "position": reached})
        return
    session.out.line(f"重建完成，已切换到新视图（至位置 {reached}）",
                     f"rebuilt and swapped in (up to position {reached})")


async def _rebuild(session: Session, store: ReadStore) -> int:
    client = await nats.connect(session.url(), connect_timeout=3)
    try:
        progress = ProgressLine(session.out, "重建", "rebuilding")
        reached = await rebuild(client.jetstream(), store, on_progress=progress,
                                key=seal_key(session))
        progress.done()
        return reached
    finally:
        await client.close()


async def _as_of_into(session: Session, moment: datetime, names: Sequence[str],
                      target: Path) -> int:
    from projections.engine.store import SqliteStore, live_positions

    store = SqliteStore(target)
    client = await nats.connect(session.url(), connect_timeout=3)
    try:
        progress = ProgressLine(session.out, "重建", "building")
        await build_as_of(client.jetstream(), moment, names=names or None, store=store,
                          on_progress=progress, key=seal_key(session))
        progress.done()
        return min(live_positions(store).values(), default=0)
    finally:
        await client.close()
        store.close()


@click.command()
@common_options
@NAMES
@READ_STORE
def project(session: Session, names: tuple[str, ...], read_store: ReadSource) -> None:
    """单独运行投影，直到 Ctrl-C（配合 rectify up --without projections）/ run projections."""
    location = store_location(session, read_store)
    store = open_read_store(location)
    session.out.line(f"投影运行中：{', '.join(names or PROJECTORS)} → {location}（Ctrl-C 停止）",
                     f"projecting {', '.join(names or PROJECTORS)} into {location} (Ctrl-C stops)")

    async def follow() -> None:
        client = await nats.connect(session.url(), connect_timeout=3)
        try:
            await run_projections(client.jetstream(), store, seal_key(session),
                                  passing=is_passing, names=names or None,
                                  on_progress=ProgressLine(session.out, "投影", "projecting"))
        finally:
            await client.close()

    try:
        with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
            session.run(follow())
    finally:
        store.close()


READING_COMMANDS = (ledger, trail, stats, rebuild_command, project)
