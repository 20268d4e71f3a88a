"""``rectify plan``: 整改方案 (a unit's rectification plan) and 工作方案 (a work plan), with the
parts the notice names: content, goals, measures, schedule, responsible units and people."""

from __future__ import annotations

from datetime import date

import click

from events.commands import FilePlan
from events.vocabulary import PlanKind
from projections.models.plans import read_plans
from services.cli.dates import DATE
from services.cli.options import Session, common_options
from services.cli.reading import READ_STORE, ReadSource, open_store
from services.cli.staff import VocabularyParam
from services.cli.supervision import send_unit_command


@click.group()
def plan() -> None:
    """整改方案、工作方案 / plans: record one, list them."""


@plan.command("record")
@common_options
@click.argument("unit")
@click.option("--kind", required=True, type=VocabularyParam(PlanKind), help="整改方案 / 工作方案")
@click.option("--title", required=True, help="方案名称")
@click.option("--adopted-on", required=True, type=DATE, help="印发日期")
@click.option("--document", default=None, help="文号")
@click.option("--content", required=True, help="整治的具体内容")
@click.option("--goals", required=True, help="目标要求")
@click.option("--measures", required=True, help="工作措施")
@click.option("--schedule", required=True, help="进度安排")
@click.option("--responsible", required=True, help="责任单位和责任人")
@click.option("--expected-version", type=int, default=None)
def record(session: Session, unit: str, kind: PlanKind, title: str, adopted_on: date,
           document: str | None, content: str, goals: str, measures: str, schedule: str,
           responsible: str, expected_version: int | None) -> None:
    """记录（或修订）单位的整改方案或工作方案 / record or revise a unit's plan."""
    send_unit_command(session, FilePlan, unit=unit, kind=kind, title=title,
                      adopted_on=adopted_on, document=document, content=content, goals=goals,
                      measures=measures, schedule=schedule, responsible=responsible,
                      expected_version=expected_version)


@plan.command("list")
@common_options
@click.option("--unit", default=None, help="只看此单位 / only this unit")
@READ_STORE
def list_plans(session: Session, unit: str | None, read_store: ReadSource) -> None:
    """各单位的整改方案、工作方案 / every unit's plans, as last revised."""
    store = open_store(session, read_store)
    try:
        plans = read_plans(store, unit)
    finally:
        store.close()
    if session.out.format == "json":
        session.out.json({"plans": [{**vars(p), "kind": p.kind.value,
                                     "adopted_on": p.adopted_on.isoformat()} for p in plans]})
        return
    t, lang = session.out.t, session.out.lang
    session.out.table(
        [t("单位", "unit"), t("类型", "kind"), t("名称", "title"), t("印发日期", "adopted on"),
         t("文号", "document"), t("具体内容", "content"), t("目标要求", "goals"),
         t("工作措施", "measures"), t("进度安排", "schedule"),
         t("责任单位和责任人", "responsible"), t("修订次数", "revisions")],
        [[p.unit, p.kind.label(lang), p.title, p.adopted_on.isoformat(), p.document, p.content,
          p.goals, p.measures, p.schedule, p.responsible, p.revisions - 1] for p in plans])


PLAN_COMMANDS = (plan,)
"""Registered by ``services.cli.main``."""
