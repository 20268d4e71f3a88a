"""The mail answer: a threaded reply with a Message-ID that is the same at every sending."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd import smtp
from aiosmtpd.controller import Controller

from events.vocabulary import AnswerRoute
from services.answers.mail import answer_mail, answer_message_id, send_mail, threadable
from services.answers.outcomes import RefusedError, Sent, TryLaterError
from tests.intake.conftest import Sink, free_port

MAILBOX = "jubao@hb.example.gov.cn"


class Refusing:
    """A relay that knows no such recipient."""

    async def handle_RCPT(self, server: smtp.SMTP, session: smtp.Session,  # noqa: N802
                          envelope: smtp.Envelope, address: str, options: list[str]) -> str:
        return "550 5.1.1 no such user"


@pytest.fixture
def relay() -> Iterator[tuple[Sink, str]]:
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, f"127.0.0.1:{port}"
    controller.stop()


def a_reply(original_id: str | None = "r1@example.com") -> tuple[str, EmailMessage]:
    message_id = answer_message_id(uuid.UUID(int=7), MAILBOX)
    return message_id, answer_mail(to="zhang.san@example.com", name="张三", mailbox=MAILBOX,
                                   message_id=message_id, tracking="R-7K3F-9QXM",
                                   answer="已责令整改，并对相关人员批评教育。",
                                   original_id=original_id)


def test_the_reply_is_threaded_under_the_report_and_says_it_was_sent_by_a_program() -> None:
    message_id, mail = a_reply()
    assert message_id == "<answer-00000000-0000-0000-0000-000000000007@hb.example.gov.cn>"
    assert answer_message_id(uuid.UUID(int=7), MAILBOX) == message_id
    assert (mail["In-Reply-To"], mail["References"]) == ("<r1@example.com>", "<r1@example.com>")
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "R-7K3F-9QXM" in mail["Subject"]
    assert "已责令整改" in mail.get_content()


def test_a_report_without_its_own_message_id_gets_an_unthreaded_reply() -> None:
    assert threadable("sha256:" + "0" * 64) is None
    assert threadable("r1@example.com") == "r1@example.com"
    _, mail = a_reply(original_id=None)
    assert mail["In-Reply-To"] is None


def test_the_relay_takes_the_reply_and_its_message_id_is_the_reference(
        relay: tuple[Sink, str]) -> None:
    sink, address = relay
    message_id, mail = a_reply()
    assert asyncio.run(send_mail(address, mail)) == Sent(AnswerRoute.MAIL, message_id)
    [received] = sink.received
    assert received["Message-ID"] == message_id
    assert received["To"] == "张三 <zhang.san@example.com>"


def test_a_5xx_is_a_refusal_and_an_unreachable_relay_is_tried_again() -> None:
    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(RefusedError) as refused:
            asyncio.run(send_mail(f"127.0.0.1:{port}", a_reply()[1]))
    finally:
        controller.stop()
    assert refused.value.code == "smtp_550"
    assert "no such user" in refused.value.zh
    with pytest.raises(TryLaterError):
        asyncio.run(send_mail(f"127.0.0.1:{free_port()}", a_reply()[1]))
