"""微信公众号: the callback route; a text message becomes a report, the reply its tracking number.

``MsgId`` is the de-duplication id: WeChat re-sends a message it got no answer to within five
seconds, and every copy gets the same tracking number. Other message types and broken calls
file nothing.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import ValidationError

from events.submission import IntakeSubmission
from events.vocabulary import Channel, ProblemStatus
from services.intake.categorize import category_from
from services.intake.freetext import read_free_text
from services.intake.gateway import Gateway
from services.intake.privacy import Contact, seal
from services.intake.wechat_protocol import (
    MalformedMessageError,
    WeChatMessage,
    check_call,
    parse_message,
    text_reply,
)
from services.runtime.config import IntakeSettings

WELCOME = ("欢迎关注。反映行政执法问题，请直接发送文字说明：涉及的单位、时间、地点和经过。"
           "发送“查询 查询编号”可查看办理进展。")
TEXT_ONLY = "目前只受理文字留言，请用文字描述您要反映的问题。"
_QUERY = re.compile(r"^\s*查询\s*(R[\s-]*[0-9A-Za-z]{4}[\s-]*[0-9A-Za-z]{4})\s*$")


def wechat_router(gateway: Gateway, settings: IntakeSettings, token: str) -> APIRouter:
    router = APIRouter(tags=["wechat"])

    def refusal(request: Request) -> str | None:
        query = request.query_params
        return check_call(token, query.get("timestamp", ""), query.get("nonce", ""),
                          query.get("signature", ""), time.time())

    @router.get("/wechat", response_class=PlainTextResponse)
    async def verify_server(request: Request) -> Response:
        """Server verification: the echo string back, if the signature is right."""
        why = refusal(request)
        if why:
            return PlainTextResponse(why, status_code=403)
        return PlainTextResponse(request.query_params.get("echostr", ""))

    @router.post("/wechat")
    async def receive(request: Request) -> Response:
        why = refusal(request)
        if why:
            return PlainTextResponse(why, status_code=403)
        try:
            message = parse_message(await request.body())
        except MalformedMessageError as broken:
            return PlainTextResponse(f"malformed message: {broken}", status_code=400)
        reply = await _answer(gateway, settings, message)
        if not reply:  # WeChat's way to say "no reply": the plain word success
            return PlainTextResponse("success")
        return Response(text_reply(message, reply, int(time.time())),
                        media_type="application/xml")

    return router


async def _answer(gateway: Gateway, settings: IntakeSettings, message: WeChatMessage) -> str:
    if message.msg_type == "event":
        return WELCOME if message.event == "subscribe" else ""
    if message.msg_type != "text" or not message.msg_id:
        return TEXT_ONLY
    query = _QUERY.match(message.content)
    if query:
        return await _status(gateway, query.group(1))
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
        channel=Channel.WECHAT, intake_id=message.msg_id,
        unit=report.unit or settings.public_unit, category=category,
        problem=report.problem, case=report.case, enterprise=report.enterprise,
        submitted_at=datetime.fromtimestamp(message.create_time, UTC),
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
