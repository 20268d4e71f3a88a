"""``rectify proposals``: the orders the board proposes (督办建议), and making one an order."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

import click

from events.notice_commands import IssueNotice
from events.vocabulary import Notice
from projections.models.proposals import OrderProposal
from services.cli.board import proposal_record, read_campaign_board
from services.cli.campaign import CAMPAIGN_OPTION
from services.cli.dates import DATE
from services.cli.notices import send_notice
from services.cli.options import Session, common_options
from services.cli.reading import READ_STORE, ReadSource
from services.cli.sending import built
from services.supervision.campaign import CampaignError, campaign_location, load_campaign


def _proposals(session: Session, campaign_file: Path | None,
               read_store: ReadSource) -> tuple[OrderProposal, ...]:
    try:
        campaign = load_campaign(campaign_location(campaign_file, session.data_dir))
    except CampaignError as broken:
        session.out.fail(broken.zh, broken.en)
    return read_campaign_board(session, campaign, read_store).proposals


@click.group()
def proposals() -> None:
    """督办建议：看板依通知所列事由提出的督办 / orders the board proposes."""


@proposals.command("list")
@common_options
@CAMPAIGN_OPTION
@READ_STORE
def proposals_list(session: Session, campaign_file: Path | None,
                   read_store: ReadSource) -> None:
    """列出督办建议 / list the proposed orders."""
    found = _proposals(session, campaign_file, read_store)
    if session.out.format == "json":
        session.out.json({"proposals": [proposal_record(p) for p in found]})
        return
    t, lang = session.out.t, session.out.lang
    session.out.table([t("编号", "key"), t("单位", "unit"), t("通知所列事由", "trigger"),
                       t("理由", "reason")],
                      [[p.key, p.unit, p.trigger.label(lang), t(p.reason, p.reason_en)]
                       for p in found])


@proposals.command("order")
@common_options
@click.argument("key")
@click.option("--due", type=DATE, default=None, help="回复期限")
@CAMPAIGN_OPTION
@READ_STORE
def proposals_order(session: Session, key: str, due: date | None, campaign_file: Path | None,
                    read_store: ReadSource) -> None:
    """将一条督办建议下发为督办 / issue the proposed order named by KEY, as proposed."""
    found = {p.key: p for p in _proposals(session, campaign_file, read_store)}
    proposal = found.get(key)
    if proposal is None:
        session.out.fail(f"看板上没有督办建议 {key}（rectify proposals list 列出现有的）",
                         f"the board proposes no order {key} (rectify proposals list)")
    target = {"problem_id": UUID(proposal.problem_id)} if proposal.problem_id \
        else {"unit": proposal.unit}
    send_notice(session, built(session, IssueNotice, notice=Notice.ORDER,
                                      reason=proposal.reason, due=due,
                                      triggers=(proposal.trigger,), **target))


PROPOSAL_COMMANDS = (proposals,)
