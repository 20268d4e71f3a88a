"""Reading one e-mail as a report: subject, text (plain or HTML), attachments, sender.

Text is decoded strictly with its declared charset (GB2312 and GBK read as their superset
GB18030, as mail clients in China mean them); a part that does not decode makes the whole
message undecodable, rather than filing mojibake.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header
from email.message import Message
from email.policy import compat32
from email.utils import parseaddr
from html.parser import HTMLParser

from events.lifecycle import EvidenceRef

MAX_ATTACHMENTS = 50
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
                    "cp936": "gb18030", "us-ascii": "utf-8", "ascii": "utf-8",
                    # raw 8-bit headers: RFC 6532 says they are UTF-8
                    "unknown-8bit": "utf-8"}
_MESSAGE_ID = re.compile(r"^[\x21-\x7e]{1,200}$")


class UndecodableMailError(Exception):
    """The message cannot be read as text; ``zh`` and ``en`` say why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class IncomingMail:
    message_id: str
    """The de-duplication id: the Message-ID, or a hash of the message when it has none."""
    sender_name: str
    sender: str
    subject: str
    text: str
    attachments: tuple[EvidenceRef, ...]
    automatic: bool
    """Sent by a machine (auto-reply, bounce, list): never acknowledged, to avoid mail loops."""


def mail_id(raw: bytes) -> str:
    """The message's de-duplication id, even when nothing else in it can be read."""
    message = message_from_bytes(raw, policy=compat32)
    declared = str(message.get("Message-ID", "")).strip().strip("<>")
    if _MESSAGE_ID.match(declared):
        return declared
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def read_mail(raw: bytes) -> IncomingMail:
    message = message_from_bytes(raw, policy=compat32)
    sender_name, sender = parseaddr(_header(message, "From"))
    plain: list[str] = []
    html: list[str] = []
    attachments: list[EvidenceRef] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            attachments.append(_evidence(part, filename))
        elif part.get_content_type() == "text/plain":
            plain.append(_text(part))
        elif part.get_content_type() == "text/html":
            html.append(_html_to_text(_text(part)))
    automatic = (_header(message, "Auto-Submitted").lower() not in ("", "no")
                 or _header(message, "Precedence").lower() in ("bulk", "list", "junk")
                 or sender.lower().startswith(("mailer-daemon", "postmaster")))
    return IncomingMail(
        message_id=mail_id(raw), sender_name=sender_name, sender=sender,
        subject=_header(message, "Subject"), text="\n".join(plain or html).strip(),
        attachments=tuple(attachments[:MAX_ATTACHMENTS]), automatic=automatic,
    )


def _decode(data: bytes, charset: str | None, where: tuple[str, str]) -> str:
    name = (charset or "utf-8").lower()
    zh, en = where
    try:
        return data.decode(_CHARSET_ALIASES.get(name, name))
    except LookupError:
        raise UndecodableMailError(f"{zh}声明了未知的字符集 {charset}",
                                   f"{en}: unknown charset {charset}") from None
    except UnicodeDecodeError:
        raise UndecodableMailError(f"{zh}的内容不是 {name} 编码，无法读取",
                                   f"{en}: the bytes are not valid {name}") from None


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    where = (f"邮件头 {name} ", f"header {name}")
    return "".join(
        _decode(chunk, charset, where) if isinstance(chunk, bytes) else chunk
        for chunk, charset in decode_header(value)
    ).strip()


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    return _decode(data, part.get_content_charset(), ("正文", "body"))


def _evidence(part: Message, filename: str | None) -> EvidenceRef:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    name = "".join(_decode(c, cs, ("附件名", "attachment name")) if isinstance(c, bytes) else c
                   for c, cs in decode_header(filename or "attachment"))
    return EvidenceRef(name=name[:300], size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                       media_type=part.get_content_type())


class _TextOfHtml(HTMLParser):
    """The words of an HTML body: script and style dropped, blocks on their own lines."""

    _SKIPPED = frozenset({"script", "style", "head"})
    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _html_to_text(html: str) -> str:
    reader = _TextOfHtml()
    reader.feed(html)
    lines = (" ".join(line.split()) for line in "".join(reader.parts).splitlines())
    return "\n".join(line for line in lines if line)
