"""The WeChat callback, called exactly as WeChat's servers call it (plain-text mode)."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from defusedxml import ElementTree

from events.identity import problem_id_for
from events.vocabulary import Channel
from tests.intake.conftest import WECHAT_TOKEN, Rectify

pytestmark = pytest.mark.integration

ACCOUNT, FOLLOWER = "gh_3f2a9b8c7d6e", "oXyZ-follower-openid-0001"


def signed(timestamp: int | None = None, token: str = WECHAT_TOKEN) -> dict[str, str]:
    """The query WeChat adds to every call: sha1 of the sorted token, timestamp and nonce."""
    stamp, nonce = str(timestamp if timestamp is not None else int(time.time())), "1514412345"
    signature = hashlib.sha1("".join(sorted([token, stamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": stamp, "nonce": nonce}


def text_message(content: str, msg_id: str) -> bytes:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{FOLLOWER}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def a_msg_id() -> str:
    return str(uuid.uuid4().int % 10**19)


class WeChatServers:
    """WeChat's side: calls the callback URL exactly as ``rectify status`` gives it."""

    def __init__(self, url: str) -> None:
        self.url, self.client = url, httpx.Client(timeout=30)

    def get(self, params: dict[str, str]) -> httpx.Response:
        return self.client.get(self.url, params=params)

    def post(self, params: dict[str, str], content: bytes) -> httpx.Response:
        return self.client.post(self.url, params=params, content=content,
                                headers={"content-type": "text/xml"})


@pytest.fixture
def wechat(rectify: Rectify) -> Iterator[WeChatServers]:
    servers = WeChatServers(rectify.endpoints["wechat"])
    yield servers
    servers.client.close()


def reply_of(response: httpx.Response) -> dict[str, str]:
    root = ElementTree.fromstring(response.content)
    return {child.tag: child.text or "" for child in root}


def test_server_verification_echoes_the_echostr_only_when_signed_with_the_token(
        wechat: WeChatServers) -> None:
    genuine = wechat.get({**signed(), "echostr": "8761234567890"})
    assert (genuine.status_code, genuine.text) == (200, "8761234567890")
    forged = wechat.get({**signed(token="guessed"), "echostr": "8761234567890"})
    assert forged.status_code == 403
    assert "8761234567890" not in forged.text


def test_a_text_message_becomes_a_problem_and_the_reply_gives_the_tracking_number(
        rectify: Rectify, wechat: WeChatServers) -> None:
    msg_id = a_msg_id()
    content = "单位：沁园分局\n执法人员检查时态度粗暴。3月2日在某餐馆检查时辱骂店员。"
    answered = wechat.post(signed(), text_message(content, msg_id))
    assert answered.status_code == 200
    reply = reply_of(answered)
    assert (reply["ToUserName"], reply["FromUserName"], reply["MsgType"]) == (
        FOLLOWER, ACCOUNT, "text")
    assert "查询编号：R-" in reply["Content"]
    reported = rectify.history(problem_id_for(Channel.WECHAT, msg_id))[0]
    assert (reported["unit"], reported["problem"], reported["category"]) == (
        "沁园分局", "执法人员检查时态度粗暴", "uncivil")
    assert FOLLOWER not in str(reported)  # the openid is sealed with the rest of the contact
    tracking = reply["Content"].split("查询编号：")[1][:11]
    status = wechat.post(signed(), text_message(f"查询 {tracking}", a_msg_id()))
    assert f"查询编号 {tracking}：" in reply_of(status)["Content"]


def test_wechat_resending_a_message_makes_one_problem_and_the_same_reply(
        rectify: Rectify, wechat: WeChatServers) -> None:
    msg_id, body = a_msg_id(), text_message("多头检查，一周被查三次", a_msg_id())
    body = body.replace(body[body.index(b"<MsgId>"):], f"<MsgId>{msg_id}</MsgId></xml>".encode())
    replies = [reply_of(wechat.post(signed(), body))["Content"]
               for _ in range(3)]
    assert replies[0] == replies[1] == replies[2]
    events = rectify.history(problem_id_for(Channel.WECHAT, msg_id))
    assert [e["type"] for e in events] == ["ProblemReported"]


@pytest.mark.parametrize(("name", "query", "body", "status"), [
    ("forged signature", signed(token="not-the-token"), None, 403),
    ("stale timestamp", signed(int(time.time()) - 3600), None, 403),
    ("no signature at all", {}, None, 403),
    ("malformed XML", signed(), b"<xml><MsgType>text</MsgType><Content>", 400),
    ("an entity bomb", signed(), b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;</xml>', 400),
])
def test_calls_that_are_not_genuine_or_not_readable_are_refused_and_file_nothing(
        rectify: Rectify, wechat: WeChatServers, name: str, query: dict[str, str],
        body: bytes | None, status: int) -> None:
    before = rectify.last_seq()
    content = body if body is not None else text_message("伪造的消息", a_msg_id())
    refused = wechat.post(query, content)
    assert refused.status_code == status, name
    assert rectify.last_seq() == before


@pytest.mark.parametrize("message", [
    b"<xml><ToUserName><![CDATA[gh_3f2a9b8c7d6e]]></ToUserName><FromUserName><![CDATA[oXyZ]]>"
    b"</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[image]]></MsgType>"
    b"<PicUrl><![CDATA[http://mmbiz.example/x.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>"
    b"<MsgId>5837397520665436492</MsgId></xml>",
    b"<xml><ToUserName><![CDATA[gh_3f2a9b8c7d6e]]></ToUserName><FromUserName><![CDATA[oXyZ]]>"
    b"</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    b"<Content><![CDATA[   ]]></Content><MsgId>5837397520665436493</MsgId></xml>",
])
def test_messages_that_are_not_text_reports_are_answered_politely_and_file_nothing(
        rectify: Rectify, wechat: WeChatServers, message: bytes) -> None:
    before = rectify.last_seq()
    answered = wechat.post(signed(), message)
    assert answered.status_code == 200
    reply = reply_of(answered)
    assert reply["ToUserName"] == "oXyZ"
    assert "文字" in reply["Content"] or "没有内容" in reply["Content"]
    assert rectify.last_seq() == before


def test_an_event_other_than_a_follow_gets_no_reply_and_files_nothing(
        rectify: Rectify, wechat: WeChatServers) -> None:
    before = rectify.last_seq()
    unfollow = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA["
                f"{FOLLOWER}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
                "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unsubscribe]]></Event>"
                "</xml>").encode()
    answered = wechat.post(signed(), unfollow)
    assert (answered.status_code, answered.text) == (200, "success")
    follow = unfollow.replace(b"unsubscribe", b"subscribe")
    assert "欢迎关注" in reply_of(wechat.post(signed(), follow))["Content"]
    assert rectify.last_seq() == before
