"""The customer-service message API, spoken to over HTTP: tokens, refreshes and refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
import pytest

from events.vocabulary import AnswerRoute
from services.answers.outcomes import RefusedError, Sent, TryLaterError
from services.answers.wechat_api import WeChatApi, shortened
from tests.answers.fake_wechat import APPID, SECRET, FakeWeChat

READER, LATE_READER = "oReporter-0001", "oReporter-late"
T = TypeVar("T")


def with_api(fake: FakeWeChat, use: Callable[[WeChatApi], Awaitable[T]],
             secret: str = SECRET) -> T:
    async def run() -> T:
        async with httpx.AsyncClient(timeout=5) as client:
            return await use(WeChatApi(client, fake.url, APPID, secret))

    return asyncio.run(run())


def test_a_text_goes_to_the_openid_with_a_token_fetched_once_and_kept(
        wechat_api: FakeWeChat) -> None:
    async def twice(api: WeChatApi) -> list[Sent]:
        return [await api.send_text(READER, "已整改"), await api.send_text(READER, "再次")]

    assert with_api(wechat_api, twice) == [Sent(AnswerRoute.WECHAT, None)] * 2
    assert wechat_api.tokens == ["TOKEN-1"]
    assert wechat_api.sent == [
        ("TOKEN-1", {"touser": READER, "msgtype": "text", "text": {"content": "已整改"}}),
        ("TOKEN-1", {"touser": READER, "msgtype": "text", "text": {"content": "再次"}}),
    ]


def test_an_expired_token_is_fetched_again_once_and_the_message_sent_once(
        wechat_api: FakeWeChat) -> None:
    async def across_expiry(api: WeChatApi) -> None:
        await api.send_text(READER, "第一条")
        wechat_api.expire_tokens()
        await api.send_text(READER, "第二条")

    with_api(wechat_api, across_expiry)
    assert wechat_api.tokens == ["TOKEN-1", "TOKEN-2"]
    assert [(token, body["text"]["content"]) for token, body in wechat_api.sent] == [
        ("TOKEN-1", "第一条"), ("TOKEN-2", "第二条")]


def test_out_of_the_48_hour_window_is_a_refusal_with_the_reason(
        wechat_api: FakeWeChat) -> None:
    wechat_api.refuse[LATE_READER] = (45015, "response out of time limit")
    with pytest.raises(RefusedError) as refused:
        with_api(wechat_api, lambda api: api.send_text(LATE_READER, "答复"))
    assert (refused.value.route, refused.value.code) == (AnswerRoute.WECHAT, "wechat_45015")
    assert "48 小时" in refused.value.zh
    assert "45015 response out of time limit" in refused.value.en
    assert wechat_api.sent == []


def test_a_busy_api_and_a_refused_secret_are_tried_again_later(
        wechat_api: FakeWeChat) -> None:
    wechat_api.refuse[READER] = (-1, "system error")
    with pytest.raises(TryLaterError):
        with_api(wechat_api, lambda api: api.send_text(READER, "答复"))
    with pytest.raises(TryLaterError, match="40125"):
        with_api(wechat_api, lambda api: api.send_text(READER, "答复"), secret="wrong")


def test_an_unreachable_api_is_tried_again_later() -> None:
    async def unreachable() -> Sent:
        async with httpx.AsyncClient(timeout=2) as client:
            return await WeChatApi(client, "http://127.0.0.1:9", APPID, SECRET).send_text(
                READER, "答复")

    with pytest.raises(TryLaterError):
        asyncio.run(unreachable())


def test_a_long_answer_is_shortened_within_the_limit_at_a_character() -> None:
    text = "整改" * 2000
    short = shortened(text)
    assert len(short.encode()) <= 2000
    assert short.endswith("（全文请凭查询编号查询）")
    assert short.startswith("整改整改")
    assert shortened("短答复") == "短答复"
