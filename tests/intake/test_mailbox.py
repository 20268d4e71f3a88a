"""The report mailbox, spoken to with smtplib: each encoding, attachments, acks, refusals."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import quopri
import smtplib
import uuid
from collections.abc import Callable
from email.header import Header
from email.message import EmailMessage

import pytest

from events.identity import problem_id_for
from events.subjects import HEADER_REJECTION_DETAIL, HEADER_REJECTION_REASON, REJECTED_STREAM
from events.vocabulary import Channel
from tests.intake.conftest import MAILBOX, Rectify, Sink
from tests.integration.harness import wait_until

pytestmark = pytest.mark.integration

SENDER = "zhang.san@example.com"


def a_mail(subject: str, body: str, charset: str, encoding: str, subtype: str = "plain",
           message_id: str | None = None, body_bytes: bytes | None = None) -> tuple[str, bytes]:
    """A message exactly as a mail client in that charset and transfer encoding writes it."""
    message_id = message_id or f"{uuid.uuid4()}@example.com"
    data = body_bytes if body_bytes is not None else body.encode(charset)
    encoders: dict[str, Callable[[bytes], bytes]] = {
        "base64": base64.encodebytes, "quoted-printable": quopri.encodestring,
        "8bit": bytes}
    encoded = encoders[encoding](data)
    head = (f"From: {Header('张三', 'utf-8').encode()} <{SENDER}>\r\n"
            f"To: {MAILBOX}\r\nSubject: {Header(subject, charset).encode()}\r\n"
            f"Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/{subtype}; charset={charset}\r\n"
            f"Content-Transfer-Encoding: {encoding}\r\n\r\n")
    return message_id, crlf(head.encode("ascii") + encoded)


def crlf(raw: bytes) -> bytes:
    """Line ends as SMTP carries them (smtplib converts only str messages by itself)."""
    lines = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return lines if lines.endswith(b"\r\n") else lines + b"\r\n"


def deliver(rectify: Rectify, raw: bytes, to: str = MAILBOX) -> tuple[int, str]:
    host, port = rectify.endpoints["smtp"].removeprefix("smtp://").rsplit(":", 1)
    with smtplib.SMTP(host, int(port), timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail(SENDER)
        code, answer = smtp.rcpt(to)
        if code >= 400:
            return code, answer.decode()
        code, answer = smtp.data(raw)
        return code, answer.decode()


def reported(rectify: Rectify, message_id: str) -> dict[str, object]:
    return rectify.history(problem_id_for(Channel.MAILBOX, message_id))[0]


@pytest.mark.parametrize(("charset", "encoding", "subtype"), [
    ("utf-8", "base64", "plain"),
    ("utf-8", "quoted-printable", "plain"),
    ("gbk", "base64", "plain"),
    ("gb2312", "quoted-printable", "plain"),
    ("gb18030", "8bit", "plain"),
    ("gb18030", "base64", "html"),
])
def test_mail_in_each_encoding_becomes_a_problem_with_the_right_text(
        rectify: Rectify, charset: str, encoding: str, subtype: str) -> None:
    subject, account = "执法人员检查时态度粗暴", "3月5日上午，执法人员在某化工厂检查时辱骂员工。"
    body = f"<html><body><p>{account}</p><script>x()</script></body></html>" \
        if subtype == "html" else account + "\r\n"
    message_id, raw = a_mail(subject, body, charset, encoding, subtype)
    code, answer = deliver(rectify, raw)
    assert code == 250, answer
    assert "tracking number R-" in answer
    event = reported(rectify, message_id)
    assert (event["problem"], event["case"], event["category"]) == (subject, account, "uncivil")
    assert event["reporter"]["masked_email"] == "z***@example.com"  # type: ignore[index]


def test_the_acknowledgement_with_the_tracking_number_arrives_at_the_relay(
        rectify: Rectify, sink: tuple[Sink, int]) -> None:
    message_id, raw = a_mail("反映多头检查", "一个月内被检查四次", "utf-8", "base64")
    code, answer = deliver(rectify, raw)
    assert code == 250
    tracking = answer.rsplit(" ", 1)[-1]

    async def acknowledged() -> bool:
        return any(tracking in str(m["Subject"]) for m in sink[0].received)

    asyncio.run(wait_until(acknowledged, 30, "the acknowledgement at the sink"))
    ack = next(m for m in sink[0].received if tracking in str(m["Subject"]))
    assert ack["To"] == SENDER
    assert ack["In-Reply-To"] == f"<{message_id}>"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert tracking in ack.get_content()


def test_attachments_are_kept_as_evidence_references(rectify: Rectify) -> None:
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = SENDER, MAILBOX, "执法记录仪未开启"
    mail["Message-ID"] = message_id = f"<{uuid.uuid4()}@example.com>"
    mail.set_content("检查全程未开启执法记录仪，附现场照片。")
    mail.add_attachment(photo, maintype="image", subtype="png", filename="现场照片.png")
    code, answer = deliver(rectify, crlf(mail.as_bytes()))
    assert code == 250, answer
    event = reported(rectify, message_id.strip("<>"))
    assert event["evidence"] == [{"name": "现场照片.png", "size": len(photo),
                                  "sha256": hashlib.sha256(photo).hexdigest(),
                                  "media_type": "image/png"}]
    assert event["category"] == "three_systems"


def test_the_same_message_delivered_twice_makes_one_problem(rectify: Rectify) -> None:
    message_id, raw = a_mail("重复投递的举报", "同一封邮件投递两次", "utf-8", "base64")
    answers = [deliver(rectify, raw)[1] for _ in range(2)]
    assert answers[0] == answers[1]
    events = rectify.history(problem_id_for(Channel.MAILBOX, message_id))
    assert [e["type"] for e in events] == ["ProblemReported"]


def test_an_undecodable_message_is_refused_and_kept_in_rejected_with_the_reason(
        rectify: Rectify) -> None:
    intake_before, rejected_before = rectify.last_seq(), rectify.last_seq(REJECTED_STREAM)
    gbk_bytes = "执法人员态度粗暴".encode("gbk")
    _, raw = a_mail("编码错误的邮件", "", "utf-8", "8bit", body_bytes=gbk_bytes)
    code, answer = deliver(rectify, raw)
    assert code == 554
    assert "not valid utf-8" in answer
    assert rectify.last_seq(REJECTED_STREAM) == rejected_before + 1
    data, headers = rectify.rejected(rejected_before + 1)
    assert data == raw
    assert "not valid utf-8" in headers[HEADER_REJECTION_REASON]
    assert "\\u6b63\\u6587" in headers[HEADER_REJECTION_DETAIL]  # 正文, the body, named in zh
    assert rectify.last_seq() == intake_before


def test_mail_for_another_address_is_refused(rectify: Rectify) -> None:
    _, raw = a_mail("发错地址", "内容", "utf-8", "base64")
    code, answer = deliver(rectify, raw, to="someone@example.com")
    assert code == 550
    assert MAILBOX in answer
