"""``rectify campaign``: the campaign calendar, and recording that a unit filed with the section."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from events.commands import SubmitFiling
from events.vocabulary import Filing
from services.cli.dates import DATE
from services.cli.options import Session, common_options
from services.cli.staff import VocabularyParam
from services.cli.supervision import send_unit_command
from services.clock import china_date, system_clock
from services.supervision.campaign import (
    PHASE_LABELS,
    Campaign,
    CampaignError,
    campaign_location,
    load_campaign,
)
from services.supervision.deadlines import working_days_left
from services.supervision.workdays import CalendarNotCoveredError, is_workday

CAMPAIGN_OPTION = click.option("--campaign", "campaign_file", type=click.Path(path_type=Path),
                               default=None, help="专项整治行动文件（TOML）；默认 "
                               "$RECTIFY_CAMPAIGN 或 数据目录/campaign.toml，否则按通知")


@click.group()
def campaign() -> None:
    """专项整治行动：阶段与时限 / the campaign calendar."""


@campaign.command()
@common_options
@CAMPAIGN_OPTION
@click.option("--now", "today", type=DATE, default=None,
              help="按这一天显示（默认今天或 RECTIFY_NOW）")
def show(session: Session, campaign_file: Path | None, today: date | None) -> None:
    """显示阶段、报送时限和剩余工作日 / show phases, due dates and working days left."""
    try:
        current = load_campaign(campaign_location(campaign_file, session.data_dir))
    except CampaignError as broken:
        session.out.fail(broken.zh, broken.en)
    day = today or china_date(system_clock())
    rows = _calendar(current, day)
    if session.out.format == "json":
        session.out.json({**current.model_dump(mode="json"), "today": day.isoformat(),
                          "phase": current.phase_on(day), "calendar": rows,
                          "holiday_calendar_covers_today": _covered(day)})
        return
    t = session.out.t
    session.out.line(f"{current.name}（今天 {day}）", f"{current.name} (today {day})")
    session.out.table(
        [t("事项", "item"), t("开始", "start"), t("截止", "end / due"),
         t("剩余工作日", "working days left"), t("状态", "state")],
        [[t(r["zh"], r["en"]), r["start"] or "", r["end"],
          r["working_days_left"], t(*_STATE[r["state"]])] for r in rows],
    )
    session.out.line(
        f"蓝色预警：距时限 {current.warning_days} 个工作日；反弹比对：销号后 "
        f"{current.rebound_days} 天内；单位：{'、'.join(current.units)}",
        f"blue warning {current.warning_days} working days ahead; rebound window "
        f"{current.rebound_days} days; units: {', '.join(current.units)}")
    if not _covered(day):
        session.out.line(f"注意：节假日日历尚未包含 {day.year} 年，按周一至周五计算工作日",
                         f"note: the holiday calendar lacks {day.year}; counting Mon–Fri")


_STATE: dict[str, tuple[str, str]] = {
    "ahead": ("未开始", "ahead"), "now": ("进行中", "in progress"), "past": ("已过", "past"),
}


def _calendar(current: Campaign, day: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for key, (zh, en) in PHASE_LABELS.items():
        phase = getattr(current.phases, key)
        state = "ahead" if day < phase.start else "past" if day > phase.end else "now"
        rows.append({"item": key, "zh": zh, "en": en, "start": phase.start.isoformat(),
                     "end": phase.end.isoformat(), "state": state,
                     "working_days_left": working_days_left(day, phase.end)})
    for filing in Filing:
        due = current.due.of(filing)
        rows.append({"item": f"due.{filing.value}", "zh": f"{filing.label('zh')}报送时限",
                     "en": f"{filing.label('en')} due", "start": None, "end": due.isoformat(),
                     "state": "past" if day > due else "ahead",
                     "working_days_left": working_days_left(day, due)})
    return rows


def _covered(day: date) -> bool:
    try:
        is_workday(day)
    except CalendarNotCoveredError:
        return False
    return True


@campaign.command()
@common_options
@click.argument("unit")
@click.argument("filing", type=VocabularyParam(Filing))
@click.option("--phone", default=None, help="填报人电话")
@click.option("--filed-by", default=None, help="填报人（默认：操作人）")
@click.option("--filed-on", type=DATE, default=None, help="填报时间（默认：今天）")
@click.option("--expected-version", type=int, default=None)
def filed(session: Session, unit: str, filing: Filing, phone: str | None, filed_by: str | None,
          filed_on: date | None, expected_version: int | None) -> None:
    """记录单位已报送整改台账（ledger）或情况报告（report）/ record a unit's filing."""
    send_unit_command(session, SubmitFiling, unit=unit, filing=filing, phone=phone,
                      filed_by=filed_by, filed_on=filed_on, expected_version=expected_version)
