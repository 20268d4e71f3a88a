"""The WeChat official-account callback protocol (plain-text mode), as WeChat documents it.

Every call carries ``signature = sha1(sorted(token, timestamp, nonce) joined)``; messages are
XML; a passive reply is XML with ``ToUserName`` and ``FromUserName`` swapped. The safe (AES)
mode is not implemented: configure the account in plain-text mode (明文模式).
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


def signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted((token, timestamp, nonce))).encode()).hexdigest()


def check_call(token: str, timestamp: str, nonce: str, signed: str, now: float) -> str | None:
    """Why the call is refused (in English, for the log and the 403), or None when it is genuine."""
    if not hmac.compare_digest(signature(token, timestamp, nonce), signed.lower()):
        return "bad signature"
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
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


def parse_message(body: bytes) -> WeChatMessage:
    """The message in ``body``; entity tricks (XXE, billion laughs) are refused by defusedxml."""
    try:
        root: Element = ElementTree.fromstring(body)
    except Exception as broken:  # ParseError and defusedxml's refusals alike
        raise MalformedMessageError(str(broken)) from None

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
