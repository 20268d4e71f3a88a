"""The answer to a mailbox report: a reply to the reporter's own message, through the relay.

The Message-ID derives from the answer's event id, so a reply sent twice (a crash between
sending and recording) carries the same Message-ID both times and mail software that keeps
track of ids, the reporter's included, shows it once.
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import formataddr
from uuid import UUID

from events.identity import native_intake_id
from events.vocabulary import AnswerRoute
from services.answers.outcomes import RefusedError, Sent, TryLaterError

SMTP_TIMEOUT_SECONDS = 15.0


def answer_message_id(event_id: UUID, mailbox: str) -> str:
    """``<answer-EVENTID@mailbox domain>``: the same for every sending of one answer."""
    return f"<answer-{event_id}@{mailbox.partition('@')[2] or 'rectify.local'}>"


def answer_mail(*, to: str, name: str | None, mailbox: str, message_id: str, tracking: str,
                answer: str, original_id: str | None) -> EmailMessage:
    """The reply: zh first, a line of English, threaded under the report when it had an id."""
    mail = EmailMessage()
    mail["From"], mail["To"] = mailbox, formataddr((name or "", to))
    mail["Subject"] = f"关于您反映问题的答复（查询编号 {tracking}）"
    mail["Message-ID"] = message_id
    if original_id:
        mail["In-Reply-To"] = mail["References"] = f"<{original_id}>"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(
        f"您好！\n\n您反映的问题（查询编号 {tracking}）已有答复：\n\n{answer}\n\n"
        "感谢您对行政执法工作的监督。如有疑问，可凭查询编号查询办理情况。\n\n"
        f"The answer to your report {tracking} is above (in Chinese).\n"
    )
    return mail


def threadable(intake_id: str) -> str | None:
    """The report's own Message-ID, or None when the mailbox had to name it by a hash."""
    message_id = native_intake_id(intake_id)
    return message_id if "@" in message_id and not message_id.startswith("sha256:") else None


async def send_mail(relay: str, mail: EmailMessage) -> Sent:
    """Hand the reply to the relay: 5xx is a refusal for good, anything else is tried again."""
    host, _, port = relay.rpartition(":")
    try:
        await asyncio.to_thread(_send, host or "127.0.0.1", int(port), mail)
    except smtplib.SMTPRecipientsRefused as refused:
        code, text = next(iter(refused.recipients.values()))
        raise _refusal_or_retry(code, text) from refused
    except smtplib.SMTPResponseException as answered:
        raise _refusal_or_retry(answered.smtp_code, answered.smtp_error) from answered
    except (OSError, smtplib.SMTPException) as failed:
        raise TryLaterError(f"mail relay {relay}: {failed}") from failed
    return Sent(AnswerRoute.MAIL, str(mail["Message-ID"]))


def _refusal_or_retry(code: int, text: bytes | str) -> Exception:
    said = text.decode(errors="replace") if isinstance(text, bytes) else text
    if code < 500:
        return TryLaterError(f"mail relay answered {code} {said}")
    return RefusedError(AnswerRoute.MAIL, f"smtp_{code}", f"邮件服务器拒收答复：{code} {said}",
                        f"the mail server refused the answer: {code} {said}")


def _send(host: str, port: int, mail: EmailMessage) -> None:
    with smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS) as relay:
        relay.send_message(mail)
