"""``rectify board``: the supervision board (督办看板), section by section, or as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import click

from projections.models.board import UNASSIGNED_DAYS, Board, BoardItem, read_board
from projections.models.facts import local_date
from projections.models.proposals import OrderProposal
from services.cli.campaign import CAMPAIGN_OPTION
from services.cli.extensions import request_record
from services.cli.notice_view import (
    broadcast_record,
    notice_cells,
    notice_headers,
    notice_record,
)
from services.cli.options import Session, common_options
from services.cli.read_access import check_read
from services.cli.reading import READ_STORE, ReadSource, open_store, today_in_china
from services.supervision.answer_limits import answer_due
from services.supervision.campaign import Campaign, CampaignError, campaign_location, load_campaign
from services.supervision.spotcheck import SpotCheckEntry, UnitReports, spot_check_list

_PROBLEM_SECTIONS = {
    "overdue": ("红色：已超期（最久的在前）", "red: overdue (longest first)"),
    "behind": ("黄色：进度滞后于时间表", "yellow: behind the roadmap"),
    "approaching": ("蓝色：临近整改时限", "blue: deadline approaching"),
    "unassigned": ("报告超过 {days} 天仍未分派", "unassigned for more than {days} days"),
    "unanswered": ("群众举报尚未回复（最早的在前）",
                   "public reports not yet answered (oldest first)"),
    "answers_late": ("超过答复时限（{answer_days} 个工作日）仍未答复（起算日为答复截止日）",
                     "not answered within the time limit ({answer_days} working days; since: "
                     "the last day to answer)"),
    "dissatisfied": ("举报人对处理结果不满意，尚未重新整改", "reporter dissatisfied, not reopened"),
    "typical_stalled": ("典型案件超过 {stall_days} 天无进展（建议督办）",
                        "typical cases with nothing done for {stall_days} days (order proposed)"),
    "without_roadmap": ("整改阶段已结束，仍未销号且没有时间表、路线图",
                        "rectification phase over: open, with no roadmap"),
}


def _item_record(item: BoardItem) -> dict[str, Any]:
    return {**asdict(item), "status": item.status.value, "channel": item.channel.value,
            "since": item.since.isoformat()}


def _spot_checks(shown: Board, campaign: Campaign) -> list[SpotCheckEntry]:
    reports = [UnitReports(r.unit, r.self_inspection, r.public, r.selected)
               for r in shown.reports]
    return spot_check_list(reports, campaign.units, campaign.low_report_share,
                           campaign.strong_public_reports)


@click.command()
@common_options
@click.option("--unassigned-days", type=click.IntRange(0), default=5, show_default=True,
              help="报告后超过此天数仍未分派即列出 / list reports unassigned for longer")
@CAMPAIGN_OPTION
@READ_STORE
def board(session: Session, unassigned_days: int, campaign_file: Path | None,
          read_store: ReadSource) -> None:
    """督办看板：预警、未回复举报、待回复督办通报、逾期报送、疑似反弹、抽查名单。

    What needs the supervising section's attention today.
    """
    check_read(session, "board", None)
    try:
        campaign = load_campaign(campaign_location(campaign_file, session.data_dir))
    except CampaignError as broken:
        session.out.fail(broken.zh, broken.en)
    shown = read_campaign_board(session, campaign, read_store, unassigned_days)
    spot_checks = _spot_checks(shown, campaign)
    if session.out.format == "json":
        _as_json(session, shown, spot_checks, campaign)
    else:
        _as_tables(session, shown, spot_checks, campaign, unassigned_days)


def proposal_record(proposal: OrderProposal) -> dict[str, Any]:
    return {"key": proposal.key, "cause": proposal.cause, "unit": proposal.unit,
            "problem_id": proposal.problem_id or None, "trigger": proposal.trigger.value,
            "reason": proposal.reason, "reason_en": proposal.reason_en}


def read_campaign_board(session: Session, campaign: Campaign, read_store: ReadSource,
                        unassigned_days: int = UNASSIGNED_DAYS) -> Board:
    """The board for today, with the campaign's answer limit, phases and stall days."""
    store = open_store(session, read_store)
    try:
        return read_board(store, today_in_china(), unassigned_days,
                          lambda day: answer_due(day, campaign.answer_working_days),
                          campaign.phases.rectification.end, campaign.typical_stall_days)
    finally:
        store.close()


def _as_json(session: Session, shown: Board, spot_checks: Sequence[SpotCheckEntry],
             campaign: Campaign) -> None:
    session.out.json({
        "today": shown.today.isoformat(),
        **{name: [_item_record(i) for i in getattr(shown, name)] for name in _PROBLEM_SECTIONS},
        "open_notices": [{**notice_record(n), "late": n.late(shown.today)}
                         for n in shown.open_notices],
        "circulars": [broadcast_record(c) for c in shown.circulars],
        "proposals": [proposal_record(p) for p in shown.proposals],
        "extension_requests": [request_record(r) for r in shown.extensions],
        "late_filings": [{"unit": f.unit, "filing": f.filing.value,
                          "due": f.due.isoformat() if f.due else None}
                         for f in shown.late_filings],
        "rebounds": [{**asdict(r), "closed_on": r.closed_on.isoformat(),
                      "raised_at": r.raised_at.isoformat()} for r in shown.rebounds],
        "undelivered_answers": [{**asdict(u), "failed_at": u.failed_at.isoformat()}
                                for u in shown.undelivered],
        "collection_over": campaign.collection_over(shown.today),
        "spot_check": [asdict(e) for e in spot_checks],
    })


def _as_tables(session: Session, shown: Board, spot_checks: Sequence[SpotCheckEntry],
               campaign: Campaign, unassigned_days: int) -> None:
    out, t, lang, today = session.out, session.out.t, session.out.lang, shown.today
    out.line(f"督办看板（{today}）", f"Supervision board ({today})")
    headers = [t("单位", "unit"), t("问题", "problem"), t("状态", "status"),
               t("渠道", "channel"), t("起算日", "since"), t("天数", "days"),
               t("责任领导", "leader"), t("责任部门", "department"), t("编号", "problem id")]
    for name, (zh, en) in _PROBLEM_SECTIONS.items():
        items: tuple[BoardItem, ...] = getattr(shown, name)
        limits = {"days": unassigned_days, "answer_days": campaign.answer_working_days,
                  "stall_days": campaign.typical_stall_days}
        _heading(session, zh.format(**limits), en.format(**limits), len(items))
        if items:
            out.table(headers, [[i.unit, i.problem, i.status.label(lang), i.channel.label(lang),
                                 i.since.isoformat(), i.days, i.leader, i.department,
                                 i.problem_id] for i in items])
    _heading(session, "答复未能送达（请换渠道再次答复）",
             "answers that did not reach the reporter (answer again another way)",
             len(shown.undelivered))
    if shown.undelivered:
        out.table([t("单位", "unit"), t("问题编号", "problem id"), t("原因", "reason"),
                   t("日期", "on")],
                  [[u.unit, u.problem_id, t(u.reason, u.reason_en),
                    local_date(u.failed_at).isoformat()] for u in shown.undelivered])
    _heading(session, "待回复的督办、通报（回复期限最早的在前）",
             "orders and circulars awaiting a response (earliest due first)",
             len(shown.open_notices))
    if shown.open_notices:
        out.table(notice_headers(session),
                  [notice_cells(session, n, today) for n in shown.open_notices])
    _heading(session, "通报全体单位：阅知与回复", "circulars to all units: read and owing",
             len(shown.circulars))
    if shown.circulars:
        out.table([t("下发日", "issued"), t("事由", "reason"), t("回复期限", "respond by"),
                   t("已阅", "read"), t("未阅", "not read"), t("尚未回复", "still owing")],
                  [[local_date(c.issued_at).isoformat(), c.reason,
                    c.due.isoformat() if c.due else "", "、".join(c.read), "、".join(c.unread),
                    "、".join(c.owing)] for c in shown.circulars])
    _heading(session, "督办建议（rectify proposals order 编号 即可下发）",
             "orders proposed (rectify proposals order KEY issues one)", len(shown.proposals))
    if shown.proposals:
        out.table([t("编号", "key"), t("单位", "unit"), t("通知所列事由", "trigger"),
                   t("理由", "reason")],
                  [[p.key, p.unit, p.trigger.label(lang), t(p.reason, p.reason_en)]
                   for p in shown.proposals])
    _heading(session, "待审批的延期申请（单位负责人 rectify extension approve/refuse）",
             "extension requests waiting (unit leader: rectify extension approve/refuse)",
             len(shown.extensions))
    if shown.extensions:
        out.table([t("单位", "unit"), t("问题编号", "problem id"), t("申请人", "asked by"),
                   t("原时限", "deadline"), t("申请延至", "asked for"), t("理由", "reason"),
                   t("申请日", "asked on")],
                  [[r.unit, r.problem_id, r.requested_by, r.current_deadline.isoformat(),
                    r.deadline.isoformat(), r.reason, local_date(r.requested_at).isoformat()]
                   for r in shown.extensions])
    _heading(session, "逾期未报送", "filings overdue", len(shown.late_filings))
    if shown.late_filings:
        out.table([t("单位", "unit"), t("报送", "filing"), t("应报日期", "due")],
                  [[f.unit, f.filing.label(lang), f.due.isoformat() if f.due else ""]
                   for f in shown.late_filings])
    _heading(session, "疑似反弹（待决定是否重新打开）", "suspected rebounds (reopen?)",
             len(shown.rebounds))
    if shown.rebounds:
        out.table([t("单位", "unit"), t("新报告", "new report"), t("已销号问题", "closed problem"),
                   t("销号日", "closed on"), t("相隔天数", "days since"),
                   t("发现日", "noticed on")],
                  [[r.unit, r.problem_id, r.closed_problem, r.closed_on.isoformat(),
                    r.days_since_closed, local_date(r.raised_at).isoformat()]
                   for r in shown.rebounds])
    _spot_check_table(session, spot_checks, campaign, today)


def _heading(session: Session, zh: str, en: str, count: int) -> None:
    session.out.line(f"\n{zh}：{count}", f"\n{en}: {count}")


def _spot_check_table(session: Session, entries: Sequence[SpotCheckEntry], campaign: Campaign,
                      today: date) -> None:
    t = session.out.t
    _heading(session, "重点抽查名单", "spot-check list", len(entries))
    if not campaign.collection_over(today):
        end = campaign.phases.collection.end
        session.out.line(f"（问题收集阶段到 {end} 结束，名单仍会变化）",
                         f"(collection runs until {end}; the list may still change)")
    if entries:
        session.out.table(
            [t("序号", "rank"), t("单位", "unit"), t("自查问题", "self-inspection"),
             t("群众反映", "public reports"), t("理由", "reason"), t("已列入抽查", "selected")],
            [[e.rank, e.unit, e.self_inspection, e.public, e.reason(session.out.lang),
              t("是", "yes") if e.selected else ""] for e in entries])
