"""The WeChat callback, called exactly as WeChat's servers call it: plain-text mode, and the
encrypted calls of the safe mode (the test server runs in compatible mode, which takes both)."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from defusedxml import ElementTree

from services.intake.wechat_crypto import MessageCrypto, msg_signature
from tests.intake.conftest import (
    FILINGS_PER_MINUTE,
    LOOKUPS_PER_MINUTE,
    WECHAT_AES_KEY,
    WECHAT_APPID,
    WECHAT_TOKEN,
    Rectify,
)

pytestmark = pytest.mark.integration

ACCOUNT, FOLLOWER = "gh_3f2a9b8c7d6e", "oXyZ-follower-openid-0001"


CRYPTO = MessageCrypto(WECHAT_AES_KEY, WECHAT_APPID)


def a_nonce() -> str:
    return str(secrets.randbelow(10**10))


def signed(timestamp: int | None = None, token: str = WECHAT_TOKEN) -> dict[str, str]:
    """The query WeChat adds to every call: sha1 of the sorted token, timestamp and a new nonce."""
    stamp, nonce = str(timestamp if timestamp is not None else int(time.time())), a_nonce()
    signature = hashlib.sha1("".join(sorted([token, stamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": stamp, "nonce": nonce}


def encrypted(message: bytes, timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
    """A call of the safe mode: the message encrypted, the body signed with msg_signature."""
    query = signed(timestamp)
    sealed = CRYPTO.encrypt(message.decode())
    body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{sealed}]]></Encrypt></xml>").encode()
    query.update(encrypt_type="aes", msg_signature=msg_signature(
        WECHAT_TOKEN, query["timestamp"], query["nonce"], sealed))
    return query, body


def text_message(content: str, msg_id: str, follower: str = FOLLOWER,
                 created: int | None = None) -> bytes:
    created = int(time.time()) if created is None else created
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{follower}]]></FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
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


def tracking_of(reply: dict[str, str]) -> str:
    return reply["Content"].split("查询编号：")[1][:11]


def decrypted_reply(response: httpx.Response) -> dict[str, str]:
    """The reply of an encrypted call: checks its signature, then decrypts it."""
    outer = reply_of(response)
    assert set(outer) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert outer["MsgSignature"] == msg_signature(WECHAT_TOKEN, outer["TimeStamp"],
                                                  outer["Nonce"], outer["Encrypt"])
    root = ElementTree.fromstring(CRYPTO.decrypt(outer["Encrypt"]))
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
    reported = rectify.history(rectify.problem_of(tracking_of(reply)))[0]
    assert (reported["unit"], reported["problem"], reported["category"]) == (
        "沁园分局", "执法人员检查时态度粗暴", "uncivil")
    assert FOLLOWER not in str(reported)  # the openid is sealed with the rest of the contact
    tracking = tracking_of(reply)
    status = wechat.post(signed(), text_message(f"查询 {tracking}", a_msg_id()))
    assert f"查询编号 {tracking}：" in reply_of(status)["Content"]


def test_wechat_resending_a_message_makes_one_problem_and_the_same_reply(
        rectify: Rectify, wechat: WeChatServers) -> None:
    body = text_message("多头检查，一周被查三次", a_msg_id())
    replies = [reply_of(wechat.post(signed(), body))["Content"] for _ in range(3)]
    assert replies[0] == replies[1] == replies[2]
    events = rectify.history(rectify.problem_of(replies[0].split("查询编号：")[1][:11]))
    assert [e["type"] for e in events] == ["ProblemReported"]


def test_the_same_msg_id_from_two_followers_is_two_problems(
        rectify: Rectify, wechat: WeChatServers) -> None:
    msg_id = a_msg_id()
    mine = reply_of(wechat.post(signed(), text_message("我的举报：检查时索要财物", msg_id)))
    theirs = reply_of(wechat.post(signed(), text_message(
        "他人冒用同一 MsgId", msg_id, follower="oAttacker-openid-0666")))
    assert tracking_of(mine) != tracking_of(theirs)
    first = rectify.history(rectify.problem_of(tracking_of(mine)))[0]
    assert first["problem"] == "我的举报：检查时索要财物"


def test_a_replayed_call_is_refused_and_files_nothing(
        rectify: Rectify, wechat: WeChatServers) -> None:
    query = signed()
    assert wechat.post(query, text_message("第一次", a_msg_id())).status_code == 200
    before = rectify.last_seq()
    for other in (text_message("重放的另一条", a_msg_id()), text_message("再一条", a_msg_id())):
        replayed = wechat.post(query, other)
        assert replayed.status_code == 403
        assert "nonce" in replayed.text
    safe_query, body = encrypted(text_message("加密的消息", a_msg_id()))
    assert wechat.post(safe_query, body).status_code == 200
    assert wechat.post(safe_query, body).status_code == 403
    assert rectify.last_seq() == before + 1


def test_an_encrypted_message_is_filed_and_answered_encrypted(
        rectify: Rectify, wechat: WeChatServers) -> None:
    query, body = encrypted(text_message("单位：北海分局\n执法人员未出示证件。4月3日检查仓库。",
                                         a_msg_id()))
    answered = wechat.post(query, body)
    assert answered.status_code == 200
    reply = decrypted_reply(answered)
    assert (reply["ToUserName"], reply["FromUserName"]) == (FOLLOWER, ACCOUNT)
    reported = rectify.history(rectify.problem_of(tracking_of(reply)))[0]
    assert (reported["unit"], reported["problem"]) == ("北海分局", "执法人员未出示证件")


def test_tampered_or_stale_encrypted_calls_are_refused_and_file_nothing(
        rectify: Rectify, wechat: WeChatServers) -> None:
    before = rectify.last_seq()
    query, body = encrypted(text_message("原文", a_msg_id()))
    other = CRYPTO.encrypt(text_message("篡改后的内容", a_msg_id()).decode())
    tampered = body.replace(body[body.index(b"<Encrypt>"):body.index(b"</Encrypt>")],
                            f"<Encrypt><![CDATA[{other}]]>".encode())
    assert wechat.post(query, tampered).status_code == 403
    stale_query, stale_body = encrypted(text_message("旧消息", a_msg_id()),
                                        int(time.time()) - 3600)
    assert wechat.post(stale_query, stale_body).status_code == 403
    unsigned = {k: v for k, v in encrypted(text_message("无签名", a_msg_id()))[0].items()
                if k != "msg_signature"}
    assert wechat.post(unsigned, body).status_code == 403
    assert rectify.last_seq() == before


def test_the_arrival_is_the_servers_time_not_the_claimed_create_time(
        rectify: Rectify, wechat: WeChatServers) -> None:
    started = datetime.now(UTC)
    reply = reply_of(wechat.post(signed(), text_message(
        "执法车辆公车私用", a_msg_id(), created=1000000000)))  # 2001-09-09
    reported = rectify.history(rectify.problem_of(tracking_of(reply)))[0]
    arrived = datetime.fromisoformat(reported["occurred_at"])
    assert abs((arrived - started).total_seconds()) < 120


# Each query is signed when the test runs, not when it is collected: a long suite would
# otherwise send a timestamp older than the five-minute window and get 403 for the wrong reason.
@pytest.mark.parametrize(("name", "query", "body", "status"), [
    ("forged signature", lambda: signed(token="not-the-token"), None, 403),
    ("stale timestamp", lambda: signed(int(time.time()) - 3600), None, 403),
    ("no signature at all", dict, None, 403),
    ("malformed XML", signed, b"<xml><MsgType>text</MsgType><Content>", 400),
    ("an entity bomb", signed, b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;</xml>', 400),
])
def test_calls_that_are_not_genuine_or_not_readable_are_refused_and_file_nothing(
        rectify: Rectify, wechat: WeChatServers, name: str,
        query: Callable[[], dict[str, str]], body: bytes | None, status: int) -> None:
    before = rectify.last_seq()
    content = body if body is not None else text_message("伪造的消息", a_msg_id())
    refused = wechat.post(query(), content)
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


def test_no_follower_id_is_in_clear_anywhere_in_the_data_dir(
        rectify: Rectify, wechat: WeChatServers) -> None:
    follower = "oPrivate-follower-openid-4242"
    plain = text_message("检查人员未着装", a_msg_id(), follower=follower)
    assert wechat.post(signed(), plain).status_code == 200
    query, sealed = encrypted(text_message("加密留言", a_msg_id(), follower=follower))
    assert wechat.post(query, sealed).status_code == 200
    rectify.last_seq()  # stored by now: the replies came after the PubAck
    for path in (p for p in rectify.process.data_dir.rglob("*") if p.is_file()):
        assert follower.encode() not in path.read_bytes(), path


def test_a_follower_who_files_or_looks_up_too_often_is_asked_to_wait(
        rectify: Rectify, wechat: WeChatServers) -> None:
    follower = f"oBusy-{uuid.uuid4().hex[:8]}"

    def say(text: str) -> str:
        return reply_of(wechat.post(signed(), text_message(text, a_msg_id(), follower=follower)))[
            "Content"]

    for n in range(LOOKUPS_PER_MINUTE):
        assert "没有查询编号为" in say(f"查询 R-0000-{n:04d}")
    assert "查询过于频繁" in say("查询 R-0000-9999")
    for n in range(FILINGS_PER_MINUTE):
        assert "查询编号：R-" in say(f"第{n}条举报：执法人员态度粗暴")
    before = rectify.last_seq()
    assert "留言过于频繁" in say("再一条举报")
    assert rectify.last_seq() == before
