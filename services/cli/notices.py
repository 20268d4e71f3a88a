"""Orders (督办) and circulars (通报): issue, mark read, respond. One family, one route.

Each names its target with ``--problem`` (a problem: the notice goes to its unit) or ``--unit``
(a unit as a whole); a circular with neither goes to every unit of the campaign, naming with
``--responder`` the units that must respond. All are sent on ``cmd.notice.<verb>``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import click

from events.notice_commands import IssueNotice, MarkNoticeRead, NoticeCommand, RespondToNotice
from events.subjects import notice_command_subject
from events.vocabulary import Notice, Trigger
from projections.models.supervision import read_notices
from services.cli.dates import DATE
from services.cli.notice_view import notice_cells, notice_headers, notice_record
from services.cli.options import Session, common_options
from services.cli.read_access import check_read
from services.cli.reading import READ_STORE, ReadSource, open_store, today_in_china
from services.cli.sending import built, sent
from services.cli.staff import VocabularyParam

TRIGGER_HELP = ("通知所列事由：查找问题不深入不具体/整治工作推进迟缓/敷衍塞责/拒不整改"
                "（可多次；督办至少一项）")


def _targets(command: Any) -> Any:
    command = click.option("--unit", default=None, help="针对某个单位")(command)
    return click.option("--problem", "problem_id", type=click.UUID, default=None,
                        help="针对某个问题")(command)


def _numbered(command: Any) -> Any:
    command = click.option("--circular", "circular_number", type=int, default=None,
                           help="第 N 号通报")(command)
    return click.option("--order", "order_number", type=int, default=None,
                        help="第 N 号督办")(command)



def send_notice(session: Session, command: NoticeCommand) -> None:
    """Send one notice command and print what was recorded (or fail with the reason)."""
    reply = sent(session, notice_command_subject(command.verb), command)
    if session.out.format == "json":
        session.out.json(reply)
    elif reply.get("units") is not None:
        units = reply["units"]
        session.out.line(f"已通报全体 {len(units)} 个单位：{'、'.join(units)}",
                         f"circulated to all {len(units)} units: {', '.join(units)}")
    else:
        target = command.problem_id or reply.get("unit")
        session.out.line(f"已记录：{target}（版本 {reply['version']}）",
                         f"recorded: {target} (version {reply['version']})")


def _which(session: Session, order_number: int | None,
           circular_number: int | None) -> tuple[Notice, int]:
    if (order_number is None) == (circular_number is None):
        session.out.fail("请用 --order N 或 --circular N 指明哪一个（二选一）",
                         "name exactly one of --order N or --circular N")
    if order_number is not None:
        return Notice.ORDER, order_number
    assert circular_number is not None
    return Notice.CIRCULAR, circular_number


def _issue(session: Session, notice: Notice, problem_id: UUID | None, unit: str | None,
           reason: str, due: date | None, triggers: tuple[Trigger, ...],
           responders: tuple[str, ...] = ()) -> None:
    send_notice(session, built(session, IssueNotice, notice=notice,
                                      problem_id=problem_id, unit=unit, reason=reason, due=due,
                                      triggers=triggers, responders=responders))


@click.command()
@common_options
@_targets
@click.option("--reason", required=True, help="督办事由")
@click.option("--due", type=DATE, default=None, help="回复期限")
@click.option("--trigger", "triggers", multiple=True, type=VocabularyParam(Trigger),
              help=TRIGGER_HELP)
def order(session: Session, problem_id: UUID | None, unit: str | None, reason: str,
          due: date | None, triggers: tuple[Trigger, ...]) -> None:
    """督办：针对问题或单位 / issue a supervision order on a problem or a unit."""
    _issue(session, Notice.ORDER, problem_id, unit, reason, due, triggers)


@click.command()
@common_options
@_targets
@click.option("--reason", required=True, help="通报事由")
@click.option("--due", type=DATE, default=None, help="回复期限")
@click.option("--trigger", "triggers", multiple=True, type=VocabularyParam(Trigger),
              help=TRIGGER_HELP)
@click.option("--responder", "responders", multiple=True,
              help="通报全体单位时须回复的单位（可多次）")
def circular(session: Session, problem_id: UUID | None, unit: str | None, reason: str,
             due: date | None, triggers: tuple[Trigger, ...], responders: tuple[str, ...]) -> None:
    """通报：针对问题、单位，或不指定对象时通报全体单位 / issue a circular on a problem, a unit,
    or (no target) to all units."""
    _issue(session, Notice.CIRCULAR, problem_id, unit, reason, due, triggers, responders)


@click.command()
@common_options
@_targets
@_numbered
@click.option("--response", required=True, help="回复内容")
def respond(session: Session, problem_id: UUID | None, unit: str | None,
            order_number: int | None, circular_number: int | None, response: str) -> None:
    """回复督办或通报 / respond to an order or a circular."""
    notice, number = _which(session, order_number, circular_number)
    send_notice(session, built(session, RespondToNotice, problem_id=problem_id,
                                      unit=unit, notice=notice, number=number,
                                      response=response))


@click.command("read")
@common_options
@_targets
@_numbered
def read_notice(session: Session, problem_id: UUID | None, unit: str | None,
                order_number: int | None, circular_number: int | None) -> None:
    """阅知督办或通报（本单位人员）/ mark an order or a circular read."""
    notice, number = _which(session, order_number, circular_number)
    send_notice(session, built(session, MarkNoticeRead, problem_id=problem_id,
                                      unit=unit, notice=notice, number=number))


@click.command("notices")
@common_options
@click.option("--unit", default=None, help="只看某个单位")
@READ_STORE
def notices_list(session: Session, unit: str | None, read_store: ReadSource) -> None:
    """督办、通报一览：对象、期限、阅知与回复 / every order and circular, read and answered."""
    check_read(session, "notices", unit)
    store = open_store(session, read_store)
    try:
        lines = read_notices(store, unit)
    finally:
        store.close()
    if session.out.format == "json":
        session.out.json({"notices": [notice_record(n) for n in lines]})
        return
    session.out.table(notice_headers(session),
                      [notice_cells(session, n, today_in_china()) for n in lines])


NOTICE_COMMANDS = (order, circular, respond, read_notice, notices_list)
