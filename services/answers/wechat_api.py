"""The official account's customer-service message API (客服消息), for answers to WeChat reports.

The access token is fetched with the app id and secret, kept until shortly before it expires,
and fetched again once when WeChat says it is invalid or expired (40001, 40014, 42001): another
server holding the same app id may have fetched a new one, which invalidates ours.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from events.vocabulary import AnswerRoute
from services.answers.outcomes import RefusedError, Sent, TryLaterError

TOKEN_INVALID = frozenset({40001, 40014, 42001})
BUSY = frozenset({-1, 45009})
"""System busy; the API's daily quota used up: both pass by themselves."""
TOKEN_MARGIN_SECONDS = 300.0
MAX_CONTENT_BYTES = 2000
"""Below the text message's limit (2048 bytes); longer answers are shortened."""

_REASONS: dict[int, tuple[str, str]] = {
    45015: ("举报人超过 48 小时未与公众号互动，已超过客服消息回复时限",
            "response out of time limit: the reporter has not written to the account "
            "for more than 48 hours"),
    45047: ("客服消息下行条数超过上限", "too many customer-service messages to this reporter"),
    43004: ("举报人已取消关注公众号", "the reporter no longer follows the account"),
    40003: ("举报人的 OpenID 无效", "the reporter's OpenID is not valid"),
}


class WeChatApi:
    """Sends text messages as the official account; one instance caches one access token."""

    def __init__(self, client: httpx.AsyncClient, base: str, appid: str, secret: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client, self.base = client, base.rstrip("/")
        self.appid, self.secret, self.clock = appid, secret, clock
        self._token: str | None = None
        self._expires = 0.0

    async def send_text(self, openid: str, content: str) -> Sent:
        """One text message to ``openid``; a token WeChat calls stale is renewed once."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        answer = await self._send(await self._access_token(), body)
        if answer.get("errcode") in TOKEN_INVALID:
            self._token = None
            answer = await self._send(await self._access_token(), body)
        _check(answer)
        return Sent(AnswerRoute.WECHAT, None)

    async def _send(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/cgi-bin/message/custom/send",
                                params={"access_token": token}, json=body)

    async def _access_token(self) -> str:
        if self._token is not None and self.clock() < self._expires:
            return self._token
        answer = await self._call("GET", "/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        token = answer.get("access_token")
        if not isinstance(token, str):
            # Wrong id or secret, or this server's IP not on the allow list: an operator fixes
            # that, so the answers wait for it instead of being recorded undeliverable.
            raise TryLaterError(f"WeChat refused an access token: {answer}")
        self._token = token
        self._expires = self.clock() + float(answer.get("expires_in", 7200)) - TOKEN_MARGIN_SECONDS
        return token

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.client.request(method, self.base + path, **kwargs)
            response.raise_for_status()
            decoded: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as failed:
            raise TryLaterError(f"WeChat API {path}: {failed}") from failed
        return decoded


def _check(answer: dict[str, Any]) -> None:
    code = int(answer.get("errcode", 0))
    if code == 0:
        return
    message = str(answer.get("errmsg", ""))
    if code in BUSY | TOKEN_INVALID:  # a fresh token refused too: WeChat's trouble, not ours
        raise TryLaterError(f"WeChat API busy: {code} {message}")
    zh, en = _REASONS.get(code, ("微信接口拒绝发送", "the WeChat API refused the message"))
    raise RefusedError(AnswerRoute.WECHAT, f"wechat_{code}", f"{zh}（errcode {code} {message}）",
                       f"{en} (errcode {code} {message})")


def shortened(text: str, limit: int = MAX_CONTENT_BYTES,
              tail: str = "……（全文请凭查询编号查询）") -> str:
    """``text`` within ``limit`` UTF-8 bytes, cut at a character and saying where the rest is."""
    if len(text.encode()) <= limit:
        return text
    room = limit - len(tail.encode())
    return text.encode()[:room].decode(errors="ignore") + tail
