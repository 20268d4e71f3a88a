"""The WeChat official-account callback protocol, as WeChat documents it.

Every call carries ``signature = sha1(sorted(token, timestamp, nonce) joined)``; messages are
XML; a passive reply is XML with ``ToUserName`` and ``FromUserName`` swapped. The encrypted
modes (``wechat_crypto``) wrap the message in ``<Encrypt>`` and sign the body as well. In every
mode a nonce is remembered while its timestamp is within the window, and used once.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

MAX_CLOCK_SKEW_SECONDS = 300
"""A call whose timestamp is further from now than this is refused as a replay."""


class MalformedMessageError(Exception):
    """The body is not a WeChat message."""


class Nonces:
    """The nonces of the calls accepted within the timestamp window: each is accepted once."""

    def __init__(self, window: float = MAX_CLOCK_SKEW_SECONDS) -> None:
        self.window = window
        self.seen: dict[str, float] = {}

    def first_use(self, nonce: str, now: float) -> bool:
        """True, and remembered, the first time ``nonce`` is seen within the window."""
        # A timestamp is accepted up to ``window`` away from now on either side, so a nonce
        # is kept for twice the window: a replay is refused as stale after that.
        self.seen = {n: t for n, t in self.seen.items() if now - t <= 2 * self.window}
        if nonce in self.seen:
            return False
        self.seen[nonce] = now
        return True


def fresh(timestamp: str, now: float) -> bool:
    return timestamp.isdigit() and abs(now - int(timestamp)) <= MAX_CLOCK_SKEW_SECONDS


def signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted((token, timestamp, nonce))).encode()).hexdigest()


def check_call(token: str, timestamp: str, nonce: str, signed: str, now: float) -> str | None:
    """Why the call is refused (in English, for the log and the 403), or None when it is genuine."""
    if not hmac.compare_digest(signature(token, timestamp, nonce), signed.lower()):
        return "bad signature"
    if not fresh(timestamp, now):
        return "stale or missing timestamp"
    return None


@dataclass(frozen=True)
class WeChatMessage:
    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    content: str = ""
    msg_id: str = ""
    event: str = ""


def _root(body: bytes | str) -> Element:
    """The XML's root; entity tricks (XXE, billion laughs) are refused by defusedxml."""
    try:
        root: Element = ElementTree.fromstring(body)
    except Exception as broken:  # ParseError and defusedxml's refusals alike
        raise MalformedMessageError(str(broken)) from None
    return root


def encrypted_part(body: bytes) -> str:
    """The ``<Encrypt>`` of an encrypted (or compatible-mode) call."""
    encrypted = (_root(body).findtext("Encrypt") or "").strip()
    if not encrypted:
        raise MalformedMessageError("no Encrypt element")
    return encrypted


def parse_message(body: bytes | str) -> WeChatMessage:
    """The message in ``body``."""
    root = _root(body)

    def text(tag: str) -> str:
        return (root.findtext(tag) or "").strip()

    if root.tag != "xml" or not (text("FromUserName") and text("MsgType")):
        raise MalformedMessageError("not a WeChat message")
    created = text("CreateTime")
    if not created.isdigit():
        raise MalformedMessageError("CreateTime is missing or not a number")
    return WeChatMessage(to_user=text("ToUserName"), from_user=text("FromUserName"),
                         create_time=int(created), msg_type=text("MsgType"),
                         content=root.findtext("Content") or "", msg_id=text("MsgId"),
                         event=text("Event"))


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to: WeChatMessage, content: str, now: int) -> str:
    """The passive reply: a text message back to the sender."""
    return (f"<xml><ToUserName>{_cdata(to.from_user)}</ToUserName>"
            f"<FromUserName>{_cdata(to.to_user)}</FromUserName>"
            f"<CreateTime>{now}</CreateTime><MsgType>{_cdata('text')}</MsgType>"
            f"<Content>{_cdata(content)}</Content></xml>")


def encrypted_reply(encrypted: str, msg_signature: str, timestamp: int, nonce: str) -> str:
    """The passive reply of the encrypted modes: the encrypted reply and its signature."""
    return (f"<xml><Encrypt>{_cdata(encrypted)}</Encrypt>"
            f"<MsgSignature>{_cdata(msg_signature)}</MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>")
