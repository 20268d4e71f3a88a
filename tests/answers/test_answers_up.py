"""件件有回音 in a real ``rectify up``: public reports by mail, WeChat, the website and the
hotline are each answered exactly once through their own channel, with the delivery part
stopped and started in between; a second answer is refused."""

from __future__ import annotations

import asyncio
import hashlib
import json
import smtplib
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from aiosmtpd.controller import Controller

from events.identity import problem_id_for
from events.vocabulary import Channel
from services.reporters.keys import IntakeKeys
from tests.answers.fake_wechat import APPID, SECRET, FakeWeChat
from tests.intake.conftest import Sink, free_port
from tests.integration.harness import RectifyProcess, wait_until

pytestmark = pytest.mark.integration

MAILBOX, TOKEN, SECTION = "jubao@hb.example.gov.cn", "callback-token", "法规科 王科长"
MX = "mx.hb.example.gov.cn"
READER, OPENID, LATE_OPENID = "zhang.san@example.com", "oReporter-ok", "oReporter-late"
DELIVERIES = ("AnswerDelivered", "AnswerDeliveryFailed")


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler, port = Sink(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


class Bureau:
    """``rectify up`` with every gateway, answering through the sink and the fake WeChat API."""

    def __init__(self, tmp: Path, relay_port: int, wechat: FakeWeChat) -> None:
        self.up = RectifyProcess(tmp / "data")
        self.up.env.update({
            "RECTIFY_SMTP_RELAY": f"127.0.0.1:{relay_port}", "RECTIFY_MAILBOX": MAILBOX,
            "RECTIFY_WECHAT_TOKEN": TOKEN, "RECTIFY_WECHAT_API": wechat.url,
            "RECTIFY_WECHAT_APPID": APPID, "RECTIFY_WECHAT_SECRET": SECRET,
            "RECTIFY_ACTOR": SECTION, "COLUMNS": "400",  # tables unwrapped, to search them
            "RECTIFY_MAIL_AUTHSERV_ID": MX})  # only mail the MX authenticated is answered by mail

    def start(self, *args: str) -> dict[str, str]:
        self.up.start(*args)
        endpoints: dict[str, str] = json.loads(
            (self.up.data_dir / "runtime.json").read_text("utf-8"))["endpoints"]
        return endpoints

    def history(self, problem: UUID, lang: str = "zh") -> list[dict[str, Any]]:
        done = self.up.cli("history", str(problem), "--format", "json", "--lang", lang)
        return list(json.loads(done.stdout)) if done.returncode == 0 else []

    def answer(self, problem: UUID, message: str, *args: str) -> tuple[int, str]:
        done = self.up.cli("answer", str(problem), "--message", message, "--as", SECTION, *args)
        return done.returncode, done.stderr

    def wait_for(self, problem: UUID, last: tuple[str, ...], timeout: float = 60.0) -> None:
        async def there() -> bool:
            history = self.history(problem)
            return bool(history) and history[-1]["type"] in last

        asyncio.run(wait_until(there, timeout, f"{last} on {problem}"))


def by_mail(smtp: str, message_id: str) -> None:
    mail = EmailMessage()
    mail["Authentication-Results"] = f"{MX}; dmarc=pass header.from=example.com"
    mail["From"], mail["To"], mail["Subject"] = f"张三 <{READER}>", MAILBOX, "执法人员态度粗暴"
    mail["Message-ID"] = f"<{message_id}>"
    mail.set_content("3月5日执法人员在某化工厂检查时辱骂员工。")
    host, port = smtp.removeprefix("smtp://").rsplit(":", 1)
    with smtplib.SMTP(host, int(port), timeout=30) as client:
        client.send_message(mail)


def by_wechat(callback: str, openid: str, msg_id: str) -> None:
    stamp, nonce = str(int(time.time())), str(uuid.uuid4().int % 10**10)
    signature = hashlib.sha1("".join(sorted([TOKEN, stamp, nonce])).encode()).hexdigest()
    body = (f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{stamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[一个月内被三个科室分别检查，内容重复]]></Content>"
            f"<MsgId>{msg_id}</MsgId></xml>")
    answered = httpx.post(callback, content=body.encode(), timeout=30, params={
        "signature": signature, "timestamp": stamp, "nonce": nonce})
    assert "查询编号" in answered.text


def by_website(http: str) -> dict[str, Any]:
    filed = httpx.post(f"{http}/api/v1/reports", timeout=30, json={
        "problem": "处罚前未告知陈述申辩权利", "case": "某餐馆油烟案",
        "reporter": {"name": "李四", "phone": "13900000000"}})
    assert filed.status_code == 202, filed.text
    receipt: dict[str, Any] = filed.json()
    return receipt


def by_hotline(up: RectifyProcess, ticket: str) -> None:
    done = up.cli("hotline", "--ticket", ticket, "--caller-phone", "13512345678",
                  "--problem", "工地夜间施工噪声多次举报无人处理", "--case", "某小区旁工地",
                  "--unit", "济水分局", "--as", "热线 李娜")
    assert done.returncode == 0, done.stderr


def test_every_public_reporter_gets_exactly_one_answer_through_their_channel(
        tmp_path: Path, sink: tuple[Sink, int], wechat_api: FakeWeChat) -> None:
    wechat_api.refuse[LATE_OPENID] = (45015, "response out of time limit")
    bureau = Bureau(tmp_path, sink[1], wechat_api)
    endpoints = bureau.start()
    message_id, ticket = f"{uuid.uuid4()}@example.com", f"HL-{uuid.uuid4().hex[:8]}"
    msg_ok, msg_late = str(uuid.uuid4().int % 10**19), str(uuid.uuid4().int % 10**19)
    by_mail(endpoints["smtp"], message_id)
    by_wechat(endpoints["wechat"], OPENID, msg_ok)
    by_wechat(endpoints["wechat"], LATE_OPENID, msg_late)
    website = by_website(endpoints["http"])
    by_hotline(bureau.up, ticket)
    # Client ids are scoped to their sender with the reporter key (events.identity).
    keys = IntakeKeys.from_master((bureau.up.data_dir / "reporter.key").read_text().strip())
    mail = problem_id_for(Channel.MAILBOX, keys.scoped(f"mail:{READER}", message_id))
    web = UUID(website["problem_id"])
    wechat = problem_id_for(Channel.WECHAT, keys.scoped(f"wechat:{OPENID}", msg_ok))
    late = problem_id_for(Channel.WECHAT, keys.scoped(f"wechat:{LATE_OPENID}", msg_late))
    hotline = problem_id_for(Channel.HOTLINE, keys.scoped("hotline:热线 李娜", ticket))
    for problem in (mail, wechat, late, web, hotline):
        bureau.wait_for(problem, ("ProblemReported",))

    # With the delivery part running: mail (declined, so its answer is the outcome), website
    # and the WeChat reporter out of time (progress replies).
    declined = bureau.up.cli("triage", str(mail), "--decline", "--reason", "不属于本次整治范围",
                             "--as", SECTION)
    assert declined.returncode == 0, declined.stderr
    for problem in (mail, web, late):
        assert bureau.answer(problem, "已责令整改，相关人员已批评教育") == (0, "")
    for problem in (mail, web, late):
        bureau.wait_for(problem, DELIVERIES)
    assert bureau.up.stop() == 0

    # Without it: the answers are recorded, and wait; a second outcome answer is refused, unless
    # the first could not be delivered (then by the tracking number, as on the hotline).
    bureau.start("--without", "answers")
    for problem in (wechat, hotline):
        assert bureau.answer(problem, "问题已整改完毕，感谢监督") == (0, "")
    code, refused = bureau.answer(mail, "再答复一次")
    assert code == 1
    assert "答复举报人，每件举报只答复一次" in refused
    assert bureau.answer(late, "已责令整改", "--channel", "监督举报电话") == (0, "")
    assert wechat_api.sent == []
    assert bureau.up.stop() == 0

    # Started again: the waiting answers go out, and none of the earlier ones a second time.
    bureau.start()
    try:
        for problem in (wechat, hotline, late):
            bureau.wait_for(problem, DELIVERIES)
        counted(bureau, "delivered 3, failed 0")
        described = bureau.up.cli("history", str(late), "--lang", "en").stdout
        assert "answer not delivered" in described
        assert "response out of time limit" in described
        assert "答复已送达" in bureau.up.cli("history", str(wechat)).stdout
        delivered = {p: [e for e in bureau.history(p) if e["type"] in DELIVERIES]
                     for p in (mail, wechat, late, web, hotline)}
    finally:
        assert bureau.up.stop() == 0

    answers = [m for m in sink[0].received if str(m["Message-ID"]).startswith("<answer-")]
    [reply] = answers
    assert (reply["To"], reply["In-Reply-To"]) == (f"张三 <{READER}>", f"<{message_id}>")
    assert "已责令整改" in reply.get_content()
    [(token, body)] = wechat_api.sent
    assert token in wechat_api.tokens
    assert (body["touser"], body["msgtype"]) == (OPENID, "text")
    assert "问题已整改完毕" in body["text"]["content"]

    routes = {p: [(f["type"], f["route"]) for f in facts] for p, facts in delivered.items()}
    assert routes == {mail: [("AnswerDelivered", "mail")],
                      wechat: [("AnswerDelivered", "wechat")],
                      late: [("AnswerDeliveryFailed", "wechat"),
                             ("AnswerDelivered", "tracking_lookup")],
                      web: [("AnswerDelivered", "tracking_lookup")],
                      hotline: [("AnswerDelivered", "tracking_lookup")]}
    assert delivered[mail][0]["reference"] == reply["Message-ID"]
    assert delivered[web][0]["reference"] == website["tracking"]
    failed = delivered[late][0]
    assert failed["code"] == "wechat_45015"
    assert "48 小时" in failed["reason"]
    assert "response out of time limit" in failed["reason_en"]


def counted(bureau: Bureau, expected: str) -> None:
    """Wait until ``rectify status`` shows the delivery part's counts as ``expected``."""
    async def shown() -> bool:
        done = bureau.up.cli("status", "--format", "json")
        return expected in json.loads(done.stdout)["endpoints"]["answers"]

    asyncio.run(wait_until(shown, 30, f"status to show {expected}"))
