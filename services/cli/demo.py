"""A sample campaign for ``rectify demo``: the notice's units, problems from several channels in
every lifecycle state, some overdue. Running it again adds nothing: each problem's script runs
only when that problem is not yet on record.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import click
from nats.aio.client import Client

from events.identity import problem_id_for
from events.lifecycle import Reporter
from events.notice_commands import NOTICE_COMMAND_VERBS
from events.subjects import (
    HEADER_SESSION,
    PROBLEM_QUERY,
    command_subject,
    notice_command_subject,
    unit_command_subject,
)
from events.submission import IntakeSubmission
from events.vocabulary import Category, Channel
from services.cli.client import connected, file_submission, request
from services.clock import system_clock
from services.identity.accounts import Accounts
from services.identity.demo import create_demo_accounts, demo_session, totp_secret
from services.identity.management import Issued
from services.intake.prepared import prepare
from services.reporters.keys import IntakeKeys
from services.reporters.privacy import Contact, seal
from services.runtime.context import Runtime

SECTION = "法规与科技标准科 王科长"
SECTION_CHECKER = "法规与科技标准科 赵干事"
CAMPAIGN_OFFICE = SECTION
"""Files the findings of supervision, oversight and symposiums in the demo."""
HOTLINE_OPERATOR = "12345热线 吴接线员"
RESPOND_WITHIN_DAYS = 5
"""Orders and circulars in the demo ask for a response within this many days."""


@dataclass(frozen=True)
class Story:
    """One sample problem and the staff steps it went through."""

    key: str
    unit: str
    channel: Channel
    category: Category
    problem: str
    case: str
    steps: tuple[str, ...] = ()
    reporter: Reporter | None = None
    days_ago: int = 30
    deadline_in_days: int = 20
    filer: str = field(default="")


STORIES = (
    Story("zd-01", "生态环境综合行政执法支队", Channel.SELF_INSPECTION, Category.DOCUMENTS,
          "行政处罚决定书引用法律条款不完整", "2022年某涂装企业废气超标案，决定书未写明具体条款项",
          ("assign", "submit", "verify", "close"), filer="支队法制科 李明"),
    Story("zd-02", "生态环境综合行政执法支队", Channel.SELF_INSPECTION, Category.OVERDUE_CASES,
          "部分案件超过法定期限办结", "某砖厂无证排污案立案后120日仍未作出处理决定",
          ("assign_roadmap", "milestone"), filer="支队法制科 李明"),
    Story("qy-01", "沁园分局", Channel.ENTERPRISE_VISIT, Category.OVER_INSPECTION,
          "对同一企业一月内重复检查", "某食品公司反映一个月内接受三次环保检查，内容重复",
          ("triage", "assign_immediate", "submit"), filer="沁园分局 周强",
          deadline_in_days=3),  # on the spot: within days, inside the campaign
    Story("qy-02", "沁园分局", Channel.WEBSITE, Category.UNCIVIL,
          "执法人员检查时态度生硬", "群众反映执法人员在检查某餐馆油烟净化设施时言语粗暴",
          ("triage",), reporter=Reporter(name="刘女士", phone="13812345678")),
    Story("jsh-01", "济水分局", Channel.HOTLINE, Category.INACTION_OR_ARBITRARY,
          "群众多次举报噪声扰民未见处理", "某建筑工地夜间施工噪声，群众三次来电未见查处",
          ("assign", "circular", "request_extension", "overdue"),
          reporter=Reporter(name="张先生", phone="13987654321"),
          days_ago=45, deadline_in_days=-5),
    Story("jsh-02", "济水分局", Channel.MAILBOX, Category.ONE_SIZE_FITS_ALL,
          "对散乱污企业整治“一刀切”关停", "某工业园区对所有喷漆作坊一律断电，未区分是否达标",
          ("assign", "submit", "send_back"), reporter=Reporter(name="匿名")),
    Story("bh-01", "北海分局", Channel.WECHAT, Category.THREE_SYSTEMS,
          "执法全过程记录缺失", "某企业反映现场检查未佩戴执法记录仪，未出示证件",
          ("assign", "submit", "verify", "answer", "close"), reporter=Reporter(name="陈先生")),
    Story("bh-02", "北海分局", Channel.SPOT_CHECK, Category.CASE_FILES,
          "案卷装订不规范、材料缺失", "案卷评查发现2022年3起案件缺少送达回证",
          ("assign", "extend", "supervise")),
    Story("tt-01", "天坛分局", Channel.OVERSIGHT, Category.PROCEDURE,
          "行政复议纠错：未履行告知程序", "某行政复议案件中，处罚前未告知陈述申辩权利被撤销",
          ("assign", "submit", "verify", "close", "reopen")),
    Story("tt-02", "天坛分局", Channel.WEBSITE, Category.OTHER,
          "反映邻里纠纷", "群众反映邻居装修噪音，不属于行政执法问题",
          ("decline", "answer"), reporter=Reporter(name="孙女士", phone="13700001111")),
    Story("yq-01", "玉泉分局", Channel.CENTRAL_INSPECTION, Category.CAPABILITY,
          "基层执法人员法律素养偏低", "督察反馈：执法人员对新修订大气污染防治法条款不熟悉",
          ("assign_roadmap", "supervise", "overdue"), days_ago=60, deadline_in_days=-10),
    Story("yq-02", "玉泉分局", Channel.SYMPOSIUM, Category.IMPROPER_INTENSITY,
          "对小微企业处罚裁量偏重", "座谈会上企业反映对初次轻微违法未适用“首违不罚”", days_ago=3),
)


async def seed_demo(runtime: Runtime) -> None:
    """File every story not yet on record, then play its steps through the real commands.

    Reports go first, oldest first, so that the record runs forward in time as it would have
    and ``--as-of`` views of the demo make sense.
    """
    issued = await asyncio.to_thread(create_demo_accounts, runtime.accounts)
    if issued:
        _announce_accounts(issued)
    sessions = DemoSessions(runtime.accounts)
    async with connected(runtime.url_for("staff")) as client:
        new = []
        for story in sorted(STORIES, key=lambda story: -story.days_ago):
            problem_id = problem_id_for(story.channel, story.key)
            known = await request(client, PROBLEM_QUERY, {"problem_id": str(problem_id)})
            if not known.get("ok"):
                new.append((story, await _report(client, sessions, story,
                                                 _sealed(runtime, story.reporter))))
        for story, problem_id in new:
            await _play(client, sessions, story, problem_id)
        if len(new) == len(STORIES):  # a fresh demo: the units' own records too, once
            for verb, body in UNIT_STEPS:
                await _command(client, sessions, verb, body,
                               _notice_subject(verb) or unit_command_subject(verb))
    click.echo(f"示例数据：新登记 {len(new)} 个问题，共 {len(STORIES)} 个 "
               f"(demo: {len(new)} new problems of {len(STORIES)})", err=True)
    if console := runtime.endpoints.get("console"):
        click.echo(f"工作台：用浏览器打开 {console}，以上述演示账号登录 "
                   f"(staff console: open {console} and sign in as a demo account)", err=True)


def _sealed(runtime: Runtime, reporter: Reporter | None) -> Reporter | None:
    """The story's reporter as the gateways record one: sealed with the reporter key."""
    if reporter is None:
        return None
    cipher = IntakeKeys.for_settings(runtime.settings, create=True).cipher
    return seal(cipher, Contact(name=reporter.name, phone=reporter.phone))


def _filer(story: Story) -> str | None:
    """Who files the story: its filer, the hotline's operator, the campaign office for the
    other staff channels; nobody (the public through a gateway) on the public channels."""
    if story.filer:
        return story.filer
    if story.channel is Channel.HOTLINE:
        return HOTLINE_OPERATOR
    return None if story.channel.is_public else CAMPAIGN_OFFICE


async def _report(client: Client, sessions: DemoSessions, story: Story,
                  reporter: Reporter | None) -> UUID:
    """File the story as its filer would: the service prepares it for their session."""
    ticket, filer = None, _filer(story)
    if filer is not None:
        session = (await sessions.headers(filer))[HEADER_SESSION]
        _, [ready] = await prepare(client, session, story.channel, story.unit, filer,
                                   [{"intake_id": story.key}])
        ticket = ready.ticket
    reported = system_clock() - timedelta(days=story.days_ago)
    submission = IntakeSubmission(
        channel=story.channel, intake_id=story.key, unit=story.unit, category=story.category,
        problem=story.problem, case=story.case, submitted_at=reported,
        filed_by=filer, reporter=reporter,
    )
    answer = await file_submission(client, submission, ticket)
    return UUID(answer["problem_id"])


async def _play(client: Client, sessions: DemoSessions, story: Story, problem_id: UUID) -> None:
    deadline = system_clock().date() + timedelta(days=story.deadline_in_days)
    for step in story.steps:
        for verb, body in _step(step, story, deadline):
            await _command(client, sessions, verb, {"problem_id": problem_id, **body},
                           _notice_subject(verb))


def _step(step: str, story: Story, deadline: date) -> list[tuple[str, dict[str, Any]]]:
    unit_head = f"{story.unit}负责人"
    assign = {"actor": SECTION, "leader": unit_head, "department": f"{story.unit}法制股",
              "measures": "逐案复查，完善制度，开展专题培训", "deadline": str(deadline),
              "milestones": [{"due": str(deadline), "description": "完成整改"}]}
    respond_by = str(system_clock().date() + timedelta(days=RESPOND_WITHIN_DAYS))
    roadmap = [{"due": str(deadline - timedelta(days=10)), "description": "完成问题梳理"},
               {"due": str(deadline), "description": "完成整改并建章立制"}]
    steps: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "triage": [("triage", {"actor": SECTION, "cause": "制度执行不到位",
                               "root_cause": "检查计划未统筹，各科室各自安排",
                               "typical_reasons": ["public_attention"]
                               if story.channel.is_public else []})],
        "decline": [("triage", {"actor": SECTION, "decline_reason": "不属于行政执法问题"})],
        "assign": [("assign", assign)],
        "assign_immediate": [("assign", {**assign, "immediate": True, "milestones": []})],
        "assign_roadmap": [("assign", {**assign, "milestones": roadmap})],
        "milestone": [("progress", {"actor": unit_head, "milestone": 1, "note": "已完成梳理"})],
        "submit": [("submit-fix", {"actor": unit_head, "summary": "已整改到位",
                                   "evidence": ["整改报告.pdf"]})],
        "verify": [("verify", {"actor": SECTION_CHECKER})],
        "send_back": [("verify", {"actor": SECTION_CHECKER,
                                  "reject_reason": "未提供复查记录，请补充"})],
        "close": [("close", {"actor": SECTION})],
        "reopen": [("reopen", {"actor": SECTION, "reason": "回访发现同类问题再次出现"})],
        "extend": [("extend", {"actor": unit_head, "deadline": str(deadline + timedelta(days=15)),
                               "reason": "涉及案卷较多", "approved_by": SECTION})],
        "request_extension": [("request-extension", {
            "actor": unit_head, "deadline": str(deadline + timedelta(days=20)),
            "reason": "夜间噪声需监测站配合取证，排期在后"})],
        "supervise": [("issue", {"actor": SECTION, "notice": "order", "reason": "整改进度迟缓",
                                 "triggers": ["slow"], "due": respond_by})],
        "answer": [("answer", {"actor": SECTION, "message": "您反映的问题已核查处理，感谢监督。"})],
        "circular": [("issue", {"actor": SECTION, "notice": "circular",
                                "reason": "群众多次举报仍未查处，予以通报", "due": respond_by})],
        "overdue": [],  # the deadline simply passes
    }
    return steps[step]


UNIT_STEPS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("file", {"unit": "生态环境综合行政执法支队", "filing": "ledger",
              "actor": "生态环境综合行政执法支队负责人", "phone": "0391-6600001"}),
    ("file", {"unit": "沁园分局", "filing": "ledger", "actor": "沁园分局负责人"}),
    ("issue", {"unit": "玉泉分局", "actor": SECTION, "notice": "order",
               "reason": "督察反馈问题整改推进迟缓", "triggers": ["slow"]}),
    ("spot-check", {"unit": "天坛分局", "actor": SECTION,
                    "reason": "自查问题零报告，但群众通过局网站反映了问题"}),
    ("plan", {"unit": "沁园分局", "actor": "沁园分局负责人", "kind": "rectification_plan",
              "title": "沁园分局行政执法突出问题整改方案",
              "adopted_on": str(system_clock().date() - timedelta(days=20)),
              "document": "沁环〔2026〕8号",
              "content": "对照十三类整治重点逐项自查，建立问题清单",
              "goals": "立行立改的问题在整改阶段结束前全部整改到位，其余按路线图推进",
              "measures": "定领导、定责任、定方案、定时限；每周调度一次",
              "schedule": "自查阶段建立清单，整改阶段逐项销号，总结阶段建章立制",
              "responsible": "分局负责人牵头，法制股具体负责"}),
)
"""What the units did as units: ledgers filed, an order, a spot check, a unit's plan."""


class DemoSessions:
    """One session per demo person, opened when the seeding first acts as them."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self.tokens: dict[str, str] = {}

    async def headers(self, name: str) -> dict[str, str]:
        if name not in self.tokens:
            self.tokens[name] = await asyncio.to_thread(demo_session, self.accounts, name)
        return {HEADER_SESSION: self.tokens[name]}


def _announce_accounts(issued: list[Issued]) -> None:
    """The demo accounts and their password, shown this once (stderr, like the other notes)."""
    password = issued[0].password
    click.echo("\n演示账号（仅供演示，只显示这一次）/ demo accounts, for demonstration only, "
               f"shown once — 口令 / password: {password}", err=True)
    for account in issued:
        roles = "、".join(g.label() for g in sorted(account.person.grants,
                                                      key=lambda g: g.role))
        secret = totp_secret(account)
        extra = f"  动态口令密钥 / TOTP secret: {secret}" if secret else ""
        click.echo(f"  rectify login {account.person.login:<14} {account.person.name}"
                   f"（{roles}）{extra}", err=True)


def _notice_subject(verb: str) -> str | None:
    """Orders and circulars go on their own subjects, whatever their target."""
    return notice_command_subject(verb) if verb in NOTICE_COMMAND_VERBS else None


async def _command(client: Client, sessions: DemoSessions, verb: str, body: dict[str, Any],
                   subject: str | None = None) -> None:
    reply = await request(client, subject or command_subject(verb), {"verb": verb, **body},
                          headers=await sessions.headers(body["actor"]))
    if not reply.get("ok"):
        raise RuntimeError(f"demo step {verb} refused: {json.dumps(reply, ensure_ascii=False)}")
