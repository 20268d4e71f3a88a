"""Staff commands: report, triage, assign, progress, extend, submit-fix, verify, close, …

Each command parses its flags, builds one command model, sends it to the casework service and
prints the answer; the rules live in the Problem aggregate, not here.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from uuid import UUID

import click
from pydantic import ValidationError

from events.commands import (
    AnswerReporter,
    Assign,
    Close,
    ConfirmProposal,
    ExtendDeadline,
    NoteProgress,
    ProblemCommand,
    Propose,
    RecordSatisfaction,
    Reopen,
    ReturnProposal,
    SubmitFix,
    Triage,
    VerifyFix,
)
from events.identity import staff_intake_id
from events.lifecycle import Milestone
from events.subjects import command_subject
from events.submission import IntakeSubmission
from events.vocabulary import Category, Channel, Labelled, Satisfaction, TypicalReason
from services.cli.client import connected, file_submission
from services.cli.dates import DATE, MILESTONE
from services.cli.filing import prepared_or_fail
from services.cli.options import Session, common_options
from services.cli.sending import built, fail_invalid, sent
from services.clock import system_clock

PROBLEM = click.argument("problem_id", metavar="PROBLEM", type=click.UUID)
EXPECTED_VERSION = click.option("--expected-version", type=int, default=None,
                                help="仅当问题仍是此版本时执行 / optimistic concurrency")


class VocabularyParam(click.ParamType[Labelled]):
    """A channel or category by code, Chinese label or English label."""

    def __init__(self, vocabulary: type[Labelled]) -> None:
        self.vocabulary = vocabulary
        self.name = vocabulary.__name__.upper()

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> Labelled:
        try:
            return self.vocabulary.parse(str(value))
        except ValueError:
            codes = ", ".join(m.value for m in self.vocabulary)
            self.fail(f"无法识别 {value!r}，可选：{codes}", param, ctx)


_VERB_LABELS = {
    "triage": ("分类研判", "triage"), "assign": ("交办整改", "assignment"),
    "propose": ("提出整改方案", "proposal"), "confirm": ("确认整改方案", "proposal confirmed"),
    "return": ("退回整改方案", "proposal returned"),
    "progress": ("整改进展", "progress"), "extend": ("延期", "extension"),
    "request-extension": ("申请延期", "extension requested"),
    "approve-extension": ("批准延期", "extension approved"),
    "refuse-extension": ("不予批准延期", "extension refused"),
    "submit-fix": ("提交整改结果", "fix submitted"), "verify": ("验收", "verification"),
    "close": ("销号", "closing"), "reopen": ("重新打开", "reopening"),
    "answer": ("答复举报人", "answer"), "satisfaction": ("回访满意度", "satisfaction"),
}



def send_command(session: Session, command: ProblemCommand) -> None:
    reply = sent(session, command_subject(command.verb), command)
    if session.out.format == "json":
        session.out.json(reply)
    else:
        zh, en = _VERB_LABELS[command.verb]
        session.out.line(f"已记录：{zh} {command.problem_id}（版本 {reply['version']}）",
                         f"recorded: {en} {command.problem_id} (version {reply['version']})")


@click.command()
@common_options
@click.option("--unit", required=True, help="填报单位")
@click.option("--channel", required=True, type=VocabularyParam(Channel), help="问题收集渠道")
@click.option("--category", required=True, type=VocabularyParam(Category), help="问题类别")
@click.option("--problem", "problem_text", required=True, help="执法问题")
@click.option("--case", "case_text", required=True, help="执法案例")
@click.option("--intake-id", default=None, help="渠道编号（重复提交不会重复登记）")
@click.option("--enterprise", default=None, help="涉及的企业或地点")
@click.option("--reporter-name", default=None)
@click.option("--reporter-phone", default=None)
def report(session: Session, unit: str, channel: Channel, category: Category,
           problem_text: str, case_text: str, intake_id: str | None, enterprise: str | None,
           reporter_name: str | None, reporter_phone: str | None) -> None:
    """登记一个问题 / report a problem."""
    caller = {"name": reporter_name, "phone": reporter_phone} \
        if reporter_name or reporter_phone else None
    wanted = {"intake_id": staff_intake_id(session.actor, intake_id) if intake_id
              else str(uuid.uuid4()), "caller": caller}

    async def send() -> dict[str, Any]:
        async with connected(session.url()) as client:
            filer, [ready] = await prepared_or_fail(session, client, channel, unit, [wanted])
            try:
                submission = IntakeSubmission(
                    channel=channel, unit=unit, intake_id=ready.intake_id, category=category,
                    problem=problem_text, case=case_text, submitted_at=system_clock(),
                    filed_by=filer, reporter=ready.reporter, enterprise=enterprise)
            except ValidationError as invalid:
                fail_invalid(session, invalid)
            return await file_submission(client, submission, ready.ticket)

    answer = session.run(send())
    if not answer.get("ok"):
        session.out.fail("问题已提交，但未在时限内登记，请用 rectify status 检查",
                         "submitted, but not recorded in time; check `rectify status`")
    if session.out.format == "json":
        session.out.json({"ok": True, "problem_id": answer["problem_id"],
                          "version": answer["version"], "status": answer["status"]})
    else:
        click.echo(answer["problem_id"])


@click.command()
@common_options
@PROBLEM
@click.option("--category", type=VocabularyParam(Category), default=None, help="确认或更正类别")
@click.option("--cause", default=None, help="问题成因（从本次行动的成因中选一项）")
@click.option("--root-cause", default=None, help="症结和成因（文字）")
@click.option("--typical", is_flag=True, help="典型案件，重点跟踪（须 --typical-because）")
@click.option("--typical-because", "typical_reasons", multiple=True,
              type=VocabularyParam(TypicalReason),
              help="典型依据：切身利益 / 社会影响较大 / 群众关注度较高（可多次）")
@click.option("--duplicate-of", type=click.UUID, default=None, help="与某问题重复")
@click.option("--decline", is_flag=True, help="不予受理（须 --reason）")
@click.option("--reason", default=None)
@EXPECTED_VERSION
def triage(session: Session, problem_id: UUID, category: Category | None, cause: str | None,
           root_cause: str | None, typical: bool, typical_reasons: tuple[TypicalReason, ...],
           duplicate_of: UUID | None, decline: bool, reason: str | None,
           expected_version: int | None) -> None:
    """分类研判、剖析原因 / triage a problem: category, cause, typical case."""
    if decline and not reason:
        session.out.fail("不予受理须用 --reason 说明理由", "--decline needs --reason")
    send_command(session, built(session, Triage, problem_id=problem_id, category=category,
                          cause=cause, root_cause=root_cause, typical=typical,
                          typical_reasons=typical_reasons, duplicate_of=duplicate_of,
                          decline_reason=reason if decline else None,
                          expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@click.option("--leader", required=True, help="责任领导")
@click.option("--department", required=True, help="责任部门")
@click.option("--measures", required=True, help="整改措施")
@click.option("--deadline", required=True, type=DATE, help="整改时限")
@click.option("--immediate", is_flag=True, help="立行立改")
@click.option("--milestone", "milestones", multiple=True, type=MILESTONE,
              help="路线图节点 YYYY-MM-DD:内容（可多次）")
@EXPECTED_VERSION
def assign(session: Session, problem_id: UUID, leader: str, department: str, measures: str,
           deadline: date, immediate: bool, milestones: tuple[tuple[date, str], ...],
           expected_version: int | None) -> None:
    """定领导、定责任、定方案、定时限 / assign the rectification."""
    if immediate and milestones:
        session.out.fail("--immediate 与 --milestone 不能同时使用",
                         "--immediate and --milestone exclude each other")
    steps = tuple(Milestone(due=due, description=text) for due, text in milestones)
    send_command(session, built(session, Assign, problem_id=problem_id, leader=leader,
                          department=department, measures=measures, deadline=deadline,
                          immediate=immediate, milestones=steps,
                          expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@click.option("--leader", default=None, help="责任领导")
@click.option("--department", default=None, help="责任部门")
@click.option("--measures", default=None, help="整改措施")
@click.option("--deadline", type=DATE, default=None, help="整改时限")
@click.option("--immediate", is_flag=True, help="立行立改")
@click.option("--filed-by", default=None, help="填报人（默认：操作人）")
@EXPECTED_VERSION
def propose(session: Session, problem_id: UUID, leader: str | None, department: str | None,
            measures: str | None, deadline: date | None, immediate: bool, filed_by: str | None,
            expected_version: int | None) -> None:
    """单位提出整改方案（四定），待法规科确认 / the unit proposes its four determinations."""
    send_command(session, built(session, Propose, problem_id=problem_id,
                                        proposed_by=filed_by, leader=leader,
                                        department=department, measures=measures,
                                        deadline=deadline, immediate=immediate,
                                        expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@click.option("--leader", default=None, help="补全或改定责任领导")
@click.option("--department", default=None, help="补全或改定责任部门")
@click.option("--measures", default=None, help="补全或改定整改措施")
@click.option("--deadline", type=DATE, default=None, help="补全或改定整改时限")
@click.option("--milestone", "milestones", multiple=True, type=MILESTONE,
              help="路线图节点 YYYY-MM-DD:内容（可多次）")
@EXPECTED_VERSION
def confirm(session: Session, problem_id: UUID, leader: str | None, department: str | None,
            measures: str | None, deadline: date | None,
            milestones: tuple[tuple[date, str], ...], expected_version: int | None) -> None:
    """确认单位的整改方案（可补全）/ confirm the unit's proposal, completing it if need be."""
    steps = tuple(Milestone(due=due, description=text) for due, text in milestones)
    send_command(session, built(session, ConfirmProposal, problem_id=problem_id,
                                        leader=leader, department=department, measures=measures,
                                        deadline=deadline, milestones=steps,
                                        expected_version=expected_version))


@click.command("return")
@common_options
@PROBLEM
@click.option("--reason", required=True, help="退回理由")
@EXPECTED_VERSION
def return_proposal(session: Session, problem_id: UUID, reason: str,
                    expected_version: int | None) -> None:
    """退回单位的整改方案 / send the unit's proposal back, saying why."""
    send_command(session, built(session, ReturnProposal, problem_id=problem_id,
                                        reason=reason, expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@click.option("--note", required=True, help="进展情况")
@click.option("--milestone", type=int, default=None, help="完成第 N 个节点")
@EXPECTED_VERSION
def progress(session: Session, problem_id: UUID, note: str, milestone: int | None,
             expected_version: int | None) -> None:
    """记录整改进展 / note progress or complete a milestone."""
    send_command(session, built(session, NoteProgress, problem_id=problem_id, note=note,
                          milestone=milestone, expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@click.option("--deadline", required=True, type=DATE, help="新的整改时限")
@click.option("--reason", required=True, help="延期理由")
@click.option("--approved-by", required=True, help="批准人")
@EXPECTED_VERSION
def extend(session: Session, problem_id: UUID, deadline: date, reason: str, approved_by: str,
           expected_version: int | None) -> None:
    """延长整改时限 / extend the deadline."""
    send_command(session, built(session, ExtendDeadline, problem_id=problem_id,
                                        deadline=deadline, reason=reason, approved_by=approved_by,
                          expected_version=expected_version))


@click.command("submit-fix")
@common_options
@PROBLEM
@click.option("--summary", required=True, help="整改情况")
@click.option("--evidence", multiple=True, help="佐证材料（可多次）")
@EXPECTED_VERSION
def submit_fix(session: Session, problem_id: UUID, summary: str, evidence: tuple[str, ...],
               expected_version: int | None) -> None:
    """提交整改结果 / submit the fix for verification."""
    send_command(session, built(session, SubmitFix, problem_id=problem_id, summary=summary,
                          evidence=evidence, expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@click.option("--reject", is_flag=True, help="退回（须 --reason）")
@click.option("--reason", default=None)
@EXPECTED_VERSION
def verify(session: Session, problem_id: UUID, reject: bool, reason: str | None,
           expected_version: int | None) -> None:
    """验收整改结果，或退回 / verify the fix, or send it back."""
    if reject and not reason:
        session.out.fail("退回须用 --reason 说明理由", "--reject needs --reason")
    send_command(session, built(session, VerifyFix, problem_id=problem_id,
                          reject_reason=reason if reject else None,
                          expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@EXPECTED_VERSION
def close(session: Session, problem_id: UUID, expected_version: int | None) -> None:
    """销号 / close (cross off) a verified problem."""
    send_command(session, built(session, Close, problem_id=problem_id,
                          expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@click.option("--reason", required=True)
@EXPECTED_VERSION
def reopen(session: Session, problem_id: UUID, reason: str, expected_version: int | None) -> None:
    """重新打开已销号的问题 / reopen a closed problem."""
    send_command(session, built(session, Reopen, problem_id=problem_id, reason=reason,
                          expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@click.option("--message", required=True, help="答复内容")
@click.option("--channel", type=VocabularyParam(Channel), default=None,
              help="答复渠道（默认：举报来源渠道；局网站、监督举报电话：凭查询编号查看）")
@EXPECTED_VERSION
def answer(session: Session, problem_id: UUID, message: str, channel: Channel | None,
           expected_version: int | None) -> None:
    """答复举报人（经 answers 组件送达）：验收或不予受理后为处理结果，此前为进展答复。

    Answer the reporter (delivered by the answers part): the outcome once the fix is verified
    or the report declined, a progress reply before that.
    """
    send_command(session, built(session, AnswerReporter, problem_id=problem_id,
                                        message=message, channel=channel,
                                        expected_version=expected_version))


@click.command()
@common_options
@PROBLEM
@click.option("--level", "satisfaction", required=True, type=VocabularyParam(Satisfaction),
              help="满意 / 基本满意 / 不满意")
@click.option("--note", default=None, help="举报人的原话（可不填）")
@EXPECTED_VERSION
def satisfaction(session: Session, problem_id: UUID, satisfaction: Satisfaction,
                 note: str | None, expected_version: int | None) -> None:
    """回访满意度；不满意则重新打开已销号的问题 / record the reporter's satisfaction."""
    send_command(session, built(session, RecordSatisfaction, problem_id=problem_id,
                                        satisfaction=satisfaction, note=note,
                                        expected_version=expected_version))


STAFF_COMMANDS = (report, triage, assign, propose, confirm, return_proposal, progress, extend,
                  submit_fix, verify, close, reopen, answer, satisfaction)
