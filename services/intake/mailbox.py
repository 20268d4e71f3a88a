"""举报邮箱: an SMTP server taking mail for the report mailbox; each message becomes a report.

The SMTP answer to DATA comes only after JetStream stored the submission, and names the tracking
number. An acknowledgement mail with it goes through the configured relay only to a sender the
MX authenticated (``mail_auth``), and quotes nothing of the message: the mailbox must not be a
way to make the bureau mail a third party. An unauthenticated sender's report is filed all the
same; its answer waits at the tracking-number lookup. The de-duplication id is the Message-ID
scoped to the authenticated sender, or else a hash of the message's content, so a Message-ID
copied from someone else's mail reaches nothing of theirs. A message that cannot be read is
refused with 554 and kept in REJECTED, sealed, with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
import ssl
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.utils import make_msgid

from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import ValidationError

from events.submission import IntakeSubmission
from events.vocabulary import Channel
from services.clock import system_clock
from services.intake.categorize import category_from
from services.intake.freetext import read_free_text
from services.intake.gateway import Gateway, Receipt, rejection
from services.intake.mail_reader import IncomingMail, UndecodableMailError, read_mail
from services.reporters.privacy import Contact, seal
from services.runtime.config import IntakeSettings

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 20 * 1024 * 1024
"""Photos as attachments are welcome; larger messages are refused by the SMTP server (552)."""


class Mailbox:
    """The aiosmtpd handler: accepts mail for the report mailbox only."""

    def __init__(self, gateway: Gateway, settings: IntakeSettings, lookup_url: str | None) -> None:
        self.gateway, self.settings, self.lookup_url = gateway, settings, lookup_url

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        if address.lower() != self.settings.mailbox.lower():
            return f"550 5.1.1 no such mailbox here: mail reports to {self.settings.mailbox}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session,  # noqa: N802
                          envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            mail = read_mail(raw, self.settings.mail_authserv_id)
            submission = self._submission(mail)
        except UndecodableMailError as unreadable:
            return await self._refuse(raw, unreadable.zh, unreadable.en)
        except ValidationError as invalid:
            first = invalid.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            return await self._refuse(raw, f"邮件内容无法登记：{where} {first['msg']}",
                                      f"cannot file the message: {where}: {first['msg']}")
        receipt = await self.gateway.file(submission)
        if self.settings.smtp_relay and mail.authenticated and not mail.automatic:
            await self._acknowledge(mail, receipt)
        return f"250 OK: report received, tracking number {receipt.tracking}"

    def _submission(self, mail: IncomingMail) -> IntakeSubmission:
        report = read_free_text(mail.text, mail.subject)
        if report is None:
            raise UndecodableMailError("邮件没有主题也没有正文",
                                       "the message has no subject and no text")
        category, _ = category_from(report.category, report.problem, report.case)
        keys = self.gateway.keys
        if mail.authenticated:
            contact = Contact(name=mail.sender_name or None, email=mail.sender)
            intake_id = keys.scoped(f"mail:{mail.sender.lower()}", mail.message_id)
        else:
            contact = Contact(name=mail.sender_name or None, claimed_email=mail.sender or None)
            intake_id = mail.content_key()
        return IntakeSubmission(
            channel=Channel.MAILBOX, intake_id=intake_id,
            unit=report.unit or self.settings.public_unit, category=category,
            problem=report.problem, case=report.case, enterprise=report.enterprise,
            submitted_at=system_clock(), reporter=seal(keys.cipher, contact),
            evidence=mail.attachments,
        )

    async def _refuse(self, raw: bytes, zh: str, en: str) -> str:
        await self.gateway.reject("mailbox", raw, rejection(zh, en))
        return f"554 5.6.0 {en}"

    async def _acknowledge(self, mail: IncomingMail, receipt: Receipt) -> None:
        """Best effort: the report is already stored, so a failed acknowledgement is only logged."""
        ack = acknowledgement(mail, receipt, self.settings.mailbox, self.lookup_url)
        assert self.settings.smtp_relay is not None
        host, _, port = self.settings.smtp_relay.rpartition(":")
        try:
            await asyncio.to_thread(_send, host or "127.0.0.1", int(port), ack)
        except (OSError, smtplib.SMTPException) as failed:
            log.warning("acknowledgement of %s not sent: %s", receipt.tracking, failed)


def acknowledgement(mail: IncomingMail, receipt: Receipt, mailbox: str,
                    lookup_url: str | None) -> EmailMessage:
    ack = EmailMessage()
    ack["From"], ack["To"] = mailbox, mail.sender
    ack["Subject"] = f"您的举报已受理（查询编号 {receipt.tracking}）"
    ack["Message-ID"] = make_msgid(domain=mailbox.partition("@")[2] or None)
    ack["In-Reply-To"] = ack["References"] = f"<{mail.message_id}>"
    ack["Auto-Submitted"] = "auto-replied"
    where = f"，或在 {lookup_url}/reports/{receipt.tracking} 查询" if lookup_url else ""
    # Nothing of the sender's message is quoted, not even the subject.
    ack.set_content(
        "您好！\n\n您发给本邮箱的举报已收到并登记，"
        f"查询编号：{receipt.tracking}。\n请保存此编号，凭它查询办理进展{where}。"
        "办结后我们会答复您。\n\n"
        f"Your report has been received. Tracking number: {receipt.tracking}.\n"
    )
    return ack


def _send(host: str, port: int, message: EmailMessage) -> None:
    with smtplib.SMTP(host, port, timeout=15) as relay:
        relay.send_message(message)


@contextlib.asynccontextmanager
async def smtp_server(handler: Mailbox, host: str, port: int,
                      tls: ssl.SSLContext | None = None,
                      idle_timeout: float = 30.0) -> AsyncIterator[int]:
    """The SMTP server on this process's event loop; yields the port it listens on.
    With ``tls`` it offers STARTTLS. A client silent for ``idle_timeout`` seconds is cut off
    (aiosmtpd's default is five minutes: room for a slow client to hold connections)."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="rectify", data_size_limit=MAX_MESSAGE_BYTES, loop=loop,
                     tls_context=tls, timeout=idle_timeout),
        host, port)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()
