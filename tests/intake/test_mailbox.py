"""The report mailbox, spoken to with smtplib: each encoding, attachments, who is answered,
what is refused and how it is kept."""

from __future__ import annotations

import base64
import hashlib
import quopri
import smtplib
import socket
import time
import uuid
from collections.abc import Callable
from email.header import Header
from email.message import EmailMessage
from pathlib import Path
from uuid import UUID

import pytest

from events.subjects import (
    HEADER_ORIGINAL_SHA256,
    HEADER_ORIGINAL_SIZE,
    HEADER_REJECTION_DETAIL,
    HEADER_REJECTION_REASON,
    HEADER_SEALED,
    REJECTED_STREAM,
)
from services.reporters.keys import IntakeKeys
from tests.intake.conftest import MAILBOX, MX, REQUEST_TIMEOUT, Rectify, Sink

pytestmark = pytest.mark.integration

SENDER = "zhang.san@example.com"
PASSED = f"{MX}; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; " \
    "dmarc=pass (p=reject) header.from=example.com"


def a_mail(subject: str, body: str, charset: str, encoding: str, subtype: str = "plain",
           message_id: str | None = None, body_bytes: bytes | None = None,
           results: str | None = PASSED, sender: str = SENDER) -> tuple[str, bytes]:
    """A message exactly as a mail client in that charset and transfer encoding writes it,
    with the ``Authentication-Results`` the MX put on top (None: no header)."""
    message_id = message_id or f"{uuid.uuid4()}@example.com"
    data = body_bytes if body_bytes is not None else body.encode(charset)
    encoders: dict[str, Callable[[bytes], bytes]] = {
        "base64": base64.encodebytes, "quoted-printable": quopri.encodestring,
        "8bit": bytes}
    encoded = encoders[encoding](data)
    head = (f"Authentication-Results: {results}\r\n" if results else "") + (
        f"From: {Header('张三', 'utf-8').encode()} <{sender}>\r\n"
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


def tracking_in(answer: str) -> str:
    return answer.rsplit(" ", 1)[-1]


def problem_of(rectify: Rectify, answer: str) -> UUID:
    return rectify.problem_of(tracking_in(answer))


def reported(rectify: Rectify, answer: str) -> dict[str, object]:
    return rectify.history(problem_of(rectify, answer))[0]


def acks_for(sink: Sink, tracking: str) -> list[EmailMessage]:
    """The acknowledgements naming ``tracking``: the mailbox sends one before it answers 250."""
    return [m for m in sink.received if tracking in str(m["Subject"])]


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
    _, raw = a_mail(subject, body, charset, encoding, subtype)
    code, answer = deliver(rectify, raw)
    assert code == 250, answer
    assert "tracking number R-" in answer
    event = reported(rectify, answer)
    assert (event["problem"], event["case"], event["category"]) == (subject, account, "uncivil")
    assert event["reporter"]["masked_email"] == "z***@example.com"  # type: ignore[index]


def test_an_authenticated_sender_gets_one_acknowledgement_quoting_nothing_of_theirs(
        rectify: Rectify, sink: tuple[Sink, int]) -> None:
    message_id, raw = a_mail("反映多头检查 secret-subject", "一个月内被检查四次", "utf-8", "base64")
    code, answer = deliver(rectify, raw)
    assert code == 250
    tracking = tracking_in(answer)
    [ack] = acks_for(sink[0], tracking)
    assert ack["To"] == SENDER
    assert ack["In-Reply-To"] == f"<{message_id}>"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert tracking in ack.get_content()
    assert "secret-subject" not in ack.as_string()
    assert "检查四次" not in ack.get_content()


@pytest.mark.parametrize("results", [
    None,  # no header
    f"{MX}; dmarc=fail (p=none) header.from=example.com; spf=softfail "
    "smtp.mailfrom=example.com",
    "mx.forged.example; dmarc=pass header.from=example.com",  # not our MX's header
    f"{MX}; dkim=pass header.d=elsewhere.example; spf=pass smtp.mailfrom=elsewhere.example",
])
def test_an_unauthenticated_sender_is_filed_but_sent_no_mail(
        rectify: Rectify, sink: tuple[Sink, int], results: str | None) -> None:
    _, raw = a_mail("冒名发送的举报", "请把回执发给受害者", "utf-8", "base64", results=results,
                    sender="victim@example.com")
    code, answer = deliver(rectify, raw)
    assert code == 250, answer
    assert acks_for(sink[0], tracking_in(answer)) == []
    assert not any(m["To"] == "victim@example.com" for m in sink[0].received)
    event = reported(rectify, answer)
    assert event["reporter"]["masked_email"] == "v***@example.com"  # type: ignore[index]


def test_attachments_are_kept_as_evidence_references(rectify: Rectify) -> None:
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = SENDER, MAILBOX, "执法记录仪未开启"
    mail["Message-ID"] = f"<{uuid.uuid4()}@example.com>"
    mail.set_content("检查全程未开启执法记录仪，附现场照片。")
    mail.add_attachment(photo, maintype="image", subtype="png", filename="现场照片.png")
    code, answer = deliver(rectify, crlf(mail.as_bytes()))
    assert code == 250, answer
    event = reported(rectify, answer)
    assert event["evidence"] == [{"name": "现场照片.png", "size": len(photo),
                                  "sha256": hashlib.sha256(photo).hexdigest(),
                                  "media_type": "image/png"}]
    assert event["category"] == "three_systems"


def test_attachment_names_in_raw_utf8_and_rfc2231_are_read(rectify: Rectify) -> None:
    raw = crlf(f"""Authentication-Results: {PASSED}
From: {SENDER}
To: {MAILBOX}
Subject: =?utf-8?b?{base64.b64encode("附件名的编码".encode()).decode()}?=
Message-ID: <{uuid.uuid4()}@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

现场照片两张，见附件。
--b1
Content-Type: text/plain; charset=utf-8
Content-Disposition: attachment; filename="现场说明.txt"

a
--b1
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=utf-8''%E7%85%A7%E7%89%87%E4%BA%8C.jpg

b
--b1--
""".encode())
    code, answer = deliver(rectify, raw)
    assert code == 250, answer
    event = reported(rectify, answer)
    assert [e["name"] for e in event["evidence"]] == [  # type: ignore[attr-defined]
        "现场说明.txt", "照片二.jpg"]


def test_the_same_message_id_is_one_problem_for_its_sender_and_another_for_anyone_else(
        rectify: Rectify) -> None:
    message_id, raw = a_mail("重复投递的举报", "同一封邮件投递两次", "utf-8", "base64")
    answers = [deliver(rectify, raw)[1] for _ in range(2)]
    assert answers[0] == answers[1]
    events = rectify.history(problem_of(rectify, answers[0]))
    assert [e["type"] for e in events] == ["ProblemReported"]
    other = "li.si@example.org"
    _, copied = a_mail("冒用他人的 Message-ID", "另一位发件人", "utf-8", "base64",
                       message_id=message_id, sender=other,
                       results=f"{MX}; dmarc=pass header.from=example.org")
    _, forged = a_mail("未经认证、冒用 Message-ID", "攻击者", "utf-8", "base64",
                       message_id=message_id, results=None)
    for raw_other in (copied, forged):
        code, answer = deliver(rectify, raw_other)
        assert code == 250
        assert tracking_in(answer) != tracking_in(answers[0])
        assert problem_of(rectify, answer) != problem_of(rectify, answers[0])
    assert reported(rectify, answers[0])["case"] == "同一封邮件投递两次"


def sealed_entry(rectify: Rectify, seq: int, raw: bytes) -> dict[str, str]:
    """The REJECTED entry at ``seq``: its body is ``raw`` sealed; returns its headers."""
    data, headers = rectify.rejected(seq)
    assert headers[HEADER_SEALED] == "reporter-key"
    assert headers[HEADER_ORIGINAL_SHA256] == hashlib.sha256(raw).hexdigest()
    assert data != raw
    keys = IntakeKeys.from_master((rectify.process.data_dir / "reporter.key").read_text().strip())
    assert keys.cipher.decrypt(data) == raw
    return headers


def test_an_undecodable_message_is_refused_and_kept_sealed_in_rejected_with_the_reason(
        rectify: Rectify) -> None:
    intake_before, rejected_before = rectify.last_seq(), rectify.last_seq(REJECTED_STREAM)
    gbk_bytes = "执法人员态度粗暴，举报人电话13700001234".encode("gbk")
    _, raw = a_mail("编码错误的邮件", "", "utf-8", "8bit", body_bytes=gbk_bytes)
    code, answer = deliver(rectify, raw)
    assert code == 554
    assert "not valid utf-8" in answer
    assert rectify.last_seq(REJECTED_STREAM) == rejected_before + 1
    headers = sealed_entry(rectify, rejected_before + 1, raw)
    assert "not valid utf-8" in headers[HEADER_REJECTION_REASON]
    assert "\\u6b63\\u6587" in headers[HEADER_REJECTION_DETAIL]  # 正文, the body, named in zh
    assert rectify.last_seq() == intake_before


def nested(depth: int) -> bytes:
    opening = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n)
                       for n in range(depth))
    closing = b"".join(b"--b%d--\r\n" % n for n in reversed(range(depth)))
    head = (f"From: {SENDER}\r\nTo: {MAILBOX}\r\nSubject: deep\r\n"
            f"Message-ID: <{uuid.uuid4()}@example.com>\r\nMIME-Version: 1.0\r\n").encode()
    return head + opening + b"Content-Type: text/plain\r\n\r\n13700001234\r\n" + closing


def test_a_message_nested_3000_deep_is_refused_with_a_reason_and_kept_sealed(
        rectify: Rectify) -> None:
    intake_before, rejected_before = rectify.last_seq(), rectify.last_seq(REJECTED_STREAM)
    raw = nested(3000)
    code, answer = deliver(rectify, raw)
    assert code == 554
    assert "nests deeper than" in answer
    headers = sealed_entry(rectify, rejected_before + 1, raw)
    assert "nests deeper than" in headers[HEADER_REJECTION_REASON]
    assert rectify.last_seq() == intake_before
    _, fine = a_mail("之后的邮件照常受理", "网关仍在运行", "utf-8", "base64")
    assert deliver(rectify, fine)[0] == 250


def test_a_large_undecodable_message_is_kept_in_part_with_its_size_and_hash(
        rectify: Rectify) -> None:
    rejected_before = rectify.last_seq(REJECTED_STREAM)
    photo = base64.encodebytes(bytes(range(256)) * 40_000)  # 10 MB with its encoding
    raw = crlf(f"From: {SENDER}\r\nTo: {MAILBOX}\r\nSubject: big\r\n"
               f"Message-ID: <{uuid.uuid4()}@example.com>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
               "Content-Type: text/plain; charset=x-unheard-of\r\n\r\nabc\r\n--b\r\n"
               "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               .encode() + photo + b"--b--\r\n")
    code, answer = deliver(rectify, raw)
    assert code == 554
    assert "unknown charset" in answer
    data, headers = rectify.rejected(rejected_before + 1)
    assert headers[HEADER_ORIGINAL_SIZE] == str(len(raw))
    assert headers[HEADER_ORIGINAL_SHA256] == hashlib.sha256(raw).hexdigest()
    keys = IntakeKeys.from_master((rectify.process.data_dir / "reporter.key").read_text().strip())
    assert raw.startswith(keys.cipher.decrypt(data))


def test_no_reporter_address_or_phone_is_in_clear_anywhere_in_the_data_dir(
        rectify: Rectify) -> None:
    address, phone = "wang.wu.9321@example.net", "13700009321"
    for results in (PASSED.replace("example.com", "example.net"), None):
        _, raw = a_mail("举报人联系方式", "请勿公开", "utf-8", "base64", results=results,
                        sender=address)
        assert deliver(rectify, raw)[0] == 250
    _, broken = a_mail(f"联系电话 {phone}", "", "utf-8", "8bit", sender=address,
                       body_bytes=f"我的电话 {phone}".encode("gbk"))
    assert deliver(rectify, broken)[0] == 554
    assert deliver(rectify, nested(50).replace(SENDER.encode(), address.encode()))[0] == 554
    rectify.last_seq(REJECTED_STREAM)  # everything above is stored by now
    for path in (p for p in Path(rectify.process.data_dir).rglob("*") if p.is_file()):
        content = path.read_bytes()
        assert address.encode() not in content, path
        assert phone.encode() not in content, path


def test_a_silent_smtp_client_is_cut_off_while_others_are_served(rectify: Rectify) -> None:
    host, port = rectify.endpoints["smtp"].removeprefix("smtp://").rsplit(":", 1)
    started = time.monotonic()
    silent = socket.create_connection((host, int(port)), timeout=3 * REQUEST_TIMEOUT + 30)
    silent.sendall(b"EHLO slow.example\r\n")
    _, raw = a_mail("静默连接期间的举报", "照常受理", "utf-8", "base64")
    assert deliver(rectify, raw)[0] == 250
    while silent.recv(4096):  # until the server closes the connection
        pass
    silent.close()
    assert time.monotonic() - started >= 3 * REQUEST_TIMEOUT - 1


def test_mail_for_another_address_is_refused(rectify: Rectify) -> None:
    _, raw = a_mail("发错地址", "内容", "utf-8", "base64")
    code, answer = deliver(rectify, raw, to="someone@example.com")
    assert code == 550
    assert MAILBOX in answer
