"""微信公众号: the callback route; a text message becomes a report, the reply its tracking number.

``MsgId`` with the sender's OpenID is the de-duplication id: WeChat re-sends a message it got no
answer to within five seconds, and every copy gets the same tracking number; another follower's
message with the same MsgId is another report. Modes: ``plain`` (明文), ``compatible`` (兼容:
encrypted calls are read encrypted and answered encrypted, plain ones plainly) and ``safe``
(安全: encrypted only). A call is refused (403) when its signature is wrong, its timestamp is
more than five minutes off, or its nonce was used before. When a report arrived is the server's
time, not the ``CreateTime`` the message claims. Other message types and broken calls file
nothing.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import ValidationError

from events.submission import IntakeSubmission
from events.vocabulary import Channel, ProblemStatus
from services.clock import system_clock
from services.intake.categorize import category_from
from services.intake.freetext import read_free_text
from services.intake.gateway import Gateway
from services.intake.ratelimit import Limits
from services.intake.wechat_crypto import (
    BadEncryptionError,
    MessageCrypto,
    msg_signature,
    signed_by,
)
from services.intake.wechat_protocol import (
    MalformedMessageError,
    Nonces,
    WeChatMessage,
    check_call,
    encrypted_part,
    encrypted_reply,
    fresh,
    parse_message,
    text_reply,
)
from services.reporters.privacy import Contact, seal
from services.runtime.config import IntakeSettings

WELCOME = ("欢迎关注。反映行政执法问题，请直接发送文字说明：涉及的单位、时间、地点和经过。"
           "发送“查询 查询编号”可查看办理进展。")
TEXT_ONLY = "目前只受理文字留言，请用文字描述您要反映的问题。"
_QUERY = re.compile(r"^\s*查询\s*(R[\s-]*[0-9A-Za-z]{4}[\s-]*[0-9A-Za-z]{4})\s*$")


MODES = ("plain", "compatible", "safe")
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "the reply (XML, encrypted in the encrypted modes) or `success`",
          "content": {"application/xml": {}, "text/plain": {}}},
    400: {"description": "not a WeChat message, or not encrypted for this account",
          "content": {"text/plain": {}}},
    403: {"description": "bad signature, stale timestamp, nonce used before, or a plain "
                         "call in safe mode", "content": {"text/plain": {}}},
    413: {"description": "the body is over 64 KB", "content": {"application/json": {}}},
}


class RefusedCallError(Exception):
    """A call that is not (or no longer) genuine: 403 with the reason."""


@dataclass(frozen=True)
class Opened:
    message: WeChatMessage
    encrypted: bool


class Callback:
    """Checks a call as the configured mode requires and opens its message."""

    def __init__(self, token: str, mode: str, crypto: MessageCrypto | None) -> None:
        if mode not in MODES:
            raise ValueError(f"RECTIFY_WECHAT_MODE must be one of {', '.join(MODES)}: {mode}")
        if mode != "plain" and crypto is None:
            raise ValueError(f"the {mode} mode needs RECTIFY_WECHAT_AES_KEY and "
                             "RECTIFY_WECHAT_APPID")
        self.token, self.mode, self.crypto = token, mode, crypto
        self.nonces = Nonces()

    def open(self, query: dict[str, str], body: bytes, now: float) -> Opened:
        """The message of a genuine, first-time call; raises RefusedCallError or
        MalformedMessageError / BadEncryptionError (400)."""
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not fresh(timestamp, now):
            raise RefusedCallError("stale or missing timestamp")
        encrypted = self.mode != "plain" and query.get("encrypt_type") == "aes"
        if self.mode == "safe" and not encrypted:
            raise RefusedCallError("safe mode: only encrypted calls are accepted")
        xml: bytes | str = body
        if encrypted:
            assert self.crypto is not None
            part = encrypted_part(body)
            if not signed_by(self.token, timestamp, nonce, part, query.get("msg_signature", "")):
                raise RefusedCallError("bad msg_signature")
            xml = self.crypto.decrypt(part)
        else:
            why = check_call(self.token, timestamp, nonce, query.get("signature", ""), now)
            if why:
                raise RefusedCallError(why)
        if not self.nonces.first_use(nonce, now):
            raise RefusedCallError("nonce used before: a replay")
        return Opened(parse_message(xml), encrypted)

    def reply(self, xml: str, encrypted: bool, now: int) -> str:
        if not encrypted:
            return xml
        assert self.crypto is not None
        sealed, nonce = self.crypto.encrypt(xml), str(secrets.randbelow(10**10))
        return encrypted_reply(sealed, msg_signature(self.token, str(now), nonce, sealed),
                               now, nonce)


def wechat_router(gateway: Gateway, settings: IntakeSettings, token: str,
                  limits: Limits) -> APIRouter:
    router = APIRouter(tags=["wechat"])
    crypto = MessageCrypto(settings.wechat_aes_key, settings.wechat_appid or "") \
        if settings.wechat_aes_key else None
    callback = Callback(token, settings.wechat_mode, crypto)

    @router.get("/wechat", response_class=PlainTextResponse, responses={
        200: {"description": "the echostr"}, 403: {"description": "bad signature"}})
    async def verify_server(request: Request) -> Response:
        """Server verification: the echo string back, if the signature is right."""
        query = request.query_params
        why = check_call(token, query.get("timestamp", ""), query.get("nonce", ""),
                         query.get("signature", ""), time.time())
        if why:
            return PlainTextResponse(why, status_code=403)
        return PlainTextResponse(query.get("echostr", ""))

    @router.post("/wechat", responses=_RESPONSES)
    async def receive(request: Request) -> Response:
        now = time.time()
        try:
            opened = callback.open(dict(request.query_params), await request.body(), now)
        except RefusedCallError as refused:
            return PlainTextResponse(str(refused), status_code=403)
        except (MalformedMessageError, BadEncryptionError) as broken:
            return PlainTextResponse(f"malformed message: {broken}", status_code=400)
        message = opened.message
        reply = await _answer(gateway, settings, limits, message)
        if not reply:  # WeChat's way to say "no reply": the plain word success
            return PlainTextResponse("success")
        xml = text_reply(message, reply, int(now))
        return Response(callback.reply(xml, opened.encrypted, int(now)),
                        media_type="application/xml")

    return router


async def _answer(gateway: Gateway, settings: IntakeSettings, limits: Limits,
                  message: WeChatMessage) -> str:
    if message.msg_type == "event":
        return WELCOME if message.event == "subscribe" else ""
    if message.msg_type != "text" or not message.msg_id:
        return TEXT_ONLY
    query = _QUERY.match(message.content)
    if query:
        # Lookups count per follower, as the website's count per address.
        wait = limits.retry_after("lookup", f"wechat:{message.from_user}")
        if wait is not None:
            return f"查询过于频繁，请 {wait} 秒后再试。"
        return await _status(gateway, query.group(1))
    wait = limits.retry_after("filing", f"wechat:{message.from_user}")
    if wait is not None:
        return f"留言过于频繁，请 {wait} 秒后再发送。"
    try:
        submission = _submission(gateway, settings, message)
    except ValueError as invalid:  # no text, or a field pydantic refuses
        return f"未能受理：{_reason(invalid)}。请修改后重新发送。"
    receipt = await gateway.file(submission)
    return (f"您反映的问题已收到，查询编号：{receipt.tracking}。"
            f"我们将在办结后答复您；发送“查询 {receipt.tracking}”可查看进展。")


def _submission(gateway: Gateway, settings: IntakeSettings,
                message: WeChatMessage) -> IntakeSubmission:
    report = read_free_text(message.content)
    if report is None:
        raise ValueError("留言没有内容")
    category, _ = category_from(report.category, report.problem, report.case)
    return IntakeSubmission(
        channel=Channel.WECHAT,
        intake_id=gateway.keys.scoped(f"wechat:{message.from_user}", message.msg_id),
        unit=report.unit or settings.public_unit, category=category,
        problem=report.problem, case=report.case, enterprise=report.enterprise,
        submitted_at=system_clock(),  # CreateTime is the sender's claim, not the arrival
        reporter=seal(gateway.keys.cipher, Contact(wechat_openid=message.from_user)),
    )


def _reason(invalid: ValueError) -> str:
    if isinstance(invalid, ValidationError):
        error = invalid.errors(include_url=False)[0]
        return f"{'.'.join(str(p) for p in error['loc'])} {error['msg']}"
    return str(invalid)


async def _status(gateway: Gateway, tracking: str) -> str:
    found = await gateway.status(tracking)
    if found is None:
        return f"没有查询编号为 {tracking} 的留言，请核对后重试。"
    label = "已收到，正在登记" if found.status is None else ProblemStatus(found.status).label()
    answer = f"答复：{found.answers[-1].message}" if found.answers else "尚未答复。"
    return f"查询编号 {found.tracking}：{label}。{answer}"
