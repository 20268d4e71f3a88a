"""Reading one e-mail as a report: subject, text (plain or HTML), attachments, sender.

Text is decoded strictly with its declared charset (GB2312 and GBK read as their superset
GB18030, as mail clients in China mean them); a part that does not decode makes the whole
message undecodable, rather than filing mojibake. Raw UTF-8 in headers and attachment names
(RFC 6532) and RFC 2231 parameters are read as such. A message nested deeper than
``MAX_DEPTH`` or with more than ``MAX_PARTS`` parts is undecodable too: nobody writes one, and
reading it would cost the gateway its stack.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header
from email.message import Message
from email.policy import compat32
from email.utils import parseaddr
from html.parser import HTMLParser

from events.bilingual import BilingualError
from events.lifecycle import EvidenceRef
from services.intake.mail_auth import authenticated

MAX_ATTACHMENTS = 50
MAX_DEPTH = 8
"""Multipart inside multipart: a forwarded mail with attachments is three or four deep."""
MAX_PARTS = 200
_MULTIPART = re.compile(rb"(?im)^content-type:[ \t]*multipart/")
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
                    "cp936": "gb18030", "us-ascii": "utf-8", "ascii": "utf-8",
                    # raw 8-bit headers: RFC 6532 says they are UTF-8
                    "unknown-8bit": "utf-8"}
_MESSAGE_ID = re.compile(r"^[\x21-\x7e]{1,200}$")


class UndecodableMailError(BilingualError):
    """The message cannot be read as text; ``zh`` and ``en`` say why."""


@dataclass(frozen=True)
class IncomingMail:
    message_id: str
    """The Message-ID, or a hash of the message when it has none."""
    sender_name: str
    sender: str
    subject: str
    text: str
    attachments: tuple[EvidenceRef, ...]
    automatic: bool
    """Sent by a machine (auto-reply, bounce, list): never acknowledged, to avoid mail loops."""
    authenticated: bool
    """The MX vouches that ``sender`` sent it (``mail_auth``)."""

    def content_key(self) -> str:
        """A hash of what the message says and who it claims to be from: the de-duplication
        id of a message whose sender is not authenticated (its Message-ID alone could be
        anyone's)."""
        parts = (self.message_id, self.sender, self.subject, self.text,
                 *(a.sha256 for a in self.attachments))
        return "sha256:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:40]


def _mail_id(message: Message, raw: bytes) -> str:
    """The message's own id: its Message-ID, else a hash of its bytes."""
    declared = str(message.get("Message-ID", "")).strip().strip("<>")
    if _MESSAGE_ID.match(declared):
        return declared
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def read_mail(raw: bytes, authserv_id: str | None = None) -> IncomingMail:
    """The mail in ``raw``; ``authserv_id`` names the MX whose Authentication-Results count."""
    if len(_MULTIPART.findall(raw)) > MAX_PARTS:
        raise _too_complex()
    try:
        message = message_from_bytes(raw, policy=compat32)
        parts = list(_leaves(message))
    except RecursionError:  # nesting the pre-check could not see (folded headers)
        raise _too_complex() from None
    sender_name, sender = parseaddr(_header(message, "From"))
    plain: list[str] = []
    html: list[str] = []
    attachments: list[EvidenceRef] = []
    for part in parts:
        filename = _filename(part)
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
        message_id=_mail_id(message, raw), sender_name=sender_name, sender=sender,
        subject=_header(message, "Subject"), text="\n".join(plain or html).strip(),
        attachments=tuple(attachments[:MAX_ATTACHMENTS]), automatic=automatic,
        authenticated=authenticated(
            [_unescaped(str(v)) for v in message.get_all("Authentication-Results", [])],
            sender, authserv_id),
    )


def _too_complex() -> UndecodableMailError:
    return UndecodableMailError(
        f"邮件结构过于复杂（嵌套超过 {MAX_DEPTH} 层或超过 {MAX_PARTS} 个部分），无法读取",
        f"the message nests deeper than {MAX_DEPTH} levels or has more than {MAX_PARTS} parts")


def _leaves(message: Message) -> Iterator[Message]:
    """The parts that are not containers, walked without recursion, within the limits."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH or seen > MAX_PARTS:
            raise _too_complex()
        if part.is_multipart():
            children = part.get_payload()
            assert isinstance(children, list)
            stack.extend((child, depth + 1) for child in reversed(children)
                         if isinstance(child, Message))
        else:
            yield part


def _unescaped(text: str) -> str:
    """Raw 8-bit bytes in a header (RFC 6532) are UTF-8: the parser kept them as surrogates."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeDecodeError:
        raise UndecodableMailError("邮件头含有无法识别的字节", "a header has bytes that are not "
                                   "UTF-8") from None


def _filename(part: Message) -> str | None:
    """The attachment's name: RFC 2231 (``filename*=``), RFC 2047, or raw UTF-8 (RFC 6532)."""
    wanted = ("content-disposition", "content-type")
    raw = [(name, value) for name, value in part.raw_items() if name.lower() in wanted]
    if not any("\udc80" <= c <= "\udcff" for _, value in raw for c in value):
        return part.get_filename()
    clean = Message()
    for name, value in raw:
        clean[name] = _unescaped(value)
    return clean.get_filename()


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
