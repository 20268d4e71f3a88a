"""Delivering answers in-process, on a real event store and a real nats-server: each answer is
sent once and its delivery recorded once, however often it is offered."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import httpx
import nats
import pytest
from aiosmtpd.controller import Controller
from eventsourcing.cipher import AESCipher

from events.commands import AnswerReporter
from events.identity import problem_id_for
from events.lifecycle import AnswerDelivered, AnswerDeliveryFailed, ProblemEvent, ReporterAnswered
from events.vocabulary import AnswerRoute, Channel
from services.answers.delivery import Delivery, Routes
from services.answers.outcomes import TryLaterError
from services.answers.wechat_api import WeChatApi
from services.casework.application import Casework
from services.casework.store_thread import StoreThread
from services.reporters.keys import IntakeKeys
from services.reporters.privacy import Contact, seal
from services.reporters.tracking import tracking_number
from services.runtime.nats_server import EmbeddedNats
from services.runtime.streams import ensure_streams
from tests.answers.fake_wechat import APPID, SECRET, FakeWeChat
from tests.builders import SUPERVISOR, a_submission
from tests.intake.conftest import Sink, free_port

pytestmark = pytest.mark.integration

KEYS = IntakeKeys.from_master(AESCipher.create_key(32))
MAILBOX, READER, OPENID = "jubao@hb.example.gov.cn", "zhang.san@example.com", "oReporter-0001"
_numbers = itertools.count(1)


@dataclass
class Desk:
    """Casework and the delivery, as the answers part runs them."""

    casework: Casework
    store: StoreThread
    delivery: Delivery

    async def an_answer(self, channel: Channel,
                        contact: Contact | None) -> tuple[ReporterAnswered, int]:
        """A report through ``channel`` from ``contact``, answered: the answer and its version."""
        intake_id = f"report-{next(_numbers)}@example.com"
        reporter = seal(KEYS.cipher, contact) if contact else None
        await self.store.run(self.casework.file, [
            a_submission(channel=channel, intake_id=intake_id, reporter=reporter)])
        problem_id = problem_id_for(channel, intake_id)
        version = await self.store.run(self.casework.handle, AnswerReporter(
            problem_id=problem_id, actor=SUPERVISOR, message="已责令整改，相关人员已批评教育"))
        answer = (await self.history(problem_id))[-1]
        assert isinstance(answer, ReporterAnswered)
        return answer, version

    async def history(self, problem_id: UUID) -> list[ProblemEvent]:
        return await self.store.run(self.casework.history, problem_id)


Story = Callable[[Desk], Awaitable[None]]


@dataclass
class Outside:
    """The reporters' side: a mail relay and WeChat's API."""

    sink: Sink
    relay: str
    wechat: FakeWeChat
    nats_url: str
    tmp: Path

    def run(self, story: Story, relay: str | None = "", wechat: bool = True) -> None:
        asyncio.run(self._run(story, self.relay if relay == "" else relay, wechat))

    async def _run(self, story: Story, relay: str | None, wechat: bool) -> None:
        store, client = StoreThread(), await nats.connect(self.nats_url)
        try:
            await ensure_streams(client.jetstream())
            casework = await store.run(Casework, {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                                  "SQLITE_DBNAME": str(self.tmp / "events.db")})
            async with httpx.AsyncClient(timeout=5) as http:
                api = WeChatApi(http, self.wechat.url, APPID, SECRET) if wechat else None
                delivery = Delivery(casework, store, KEYS, Routes(MAILBOX, relay, api),
                                    lambda: None)
                await story(Desk(casework, store, delivery))
        finally:
            await client.close()
            store.close()


@pytest.fixture
def outside(tmp_path: Path, nats_server: EmbeddedNats,
            wechat_api: FakeWeChat) -> Iterator[Outside]:
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield Outside(sink, f"127.0.0.1:{port}", wechat_api, nats_server.url, tmp_path)
    controller.stop()


def test_an_answer_offered_again_is_not_sent_again(outside: Outside) -> None:
    async def story(desk: Desk) -> None:
        answer, version = await desk.an_answer(Channel.MAILBOX, Contact("张三", email=READER))
        assert await desk.delivery.deliver(answer, version)
        assert not await desk.delivery.deliver(answer, version)  # redelivered after a restart
        delivered = (await desk.history(answer.problem_id))[-1]
        assert isinstance(delivered, AnswerDelivered)
        assert (delivered.answer_version, delivered.route, delivered.channel) == (
            version, AnswerRoute.MAIL, Channel.MAILBOX)
        [mail] = outside.sink.received
        assert delivered.reference == mail["Message-ID"]
        assert (desk.delivery.delivered, desk.delivery.failed) == (1, 0)

    outside.run(story)


def test_a_wechat_answer_goes_to_the_reporters_openid(outside: Outside) -> None:
    async def story(desk: Desk) -> None:
        answer, version = await desk.an_answer(Channel.WECHAT, Contact(wechat_openid=OPENID))
        await desk.delivery.deliver(answer, version)
        [(_, body)] = outside.wechat.sent
        assert body["touser"] == OPENID
        tracking = tracking_number(KEYS.tracking, answer.problem_id)
        assert f"查询编号 {tracking}" in body["text"]["content"]
        assert "已责令整改" in body["text"]["content"]

    outside.run(story)


def test_a_website_answer_is_read_with_the_reporters_tracking_number(
        outside: Outside) -> None:
    async def story(desk: Desk) -> None:
        answer, version = await desk.an_answer(Channel.WEBSITE, Contact(phone="13800000000"))
        await desk.delivery.deliver(answer, version)
        delivered = (await desk.history(answer.problem_id))[-1]
        assert isinstance(delivered, AnswerDelivered)
        tracking = tracking_number(KEYS.tracking, answer.problem_id)
        assert (delivered.route, delivered.reference) == (AnswerRoute.TRACKING_LOOKUP, tracking)

    outside.run(story)
    assert outside.sink.received == []
    assert outside.wechat.sent == []


@pytest.mark.parametrize(("channel", "contact", "code", "why"), [
    (Channel.MAILBOX, None, "no_contact", "举报人没有留下电子邮箱地址"),
    (Channel.WECHAT, Contact(phone="13800000000"), "no_contact", "举报人没有留下微信 OpenID"),
    (Channel.WECHAT, Contact(wechat_openid=OPENID), "not_configured",
     "未配置微信客服消息（RECTIFY_WECHAT_APPID, RECTIFY_WECHAT_SECRET）"),
])
def test_an_answer_with_no_way_to_the_reporter_is_recorded_undeliverable(
        outside: Outside, channel: Channel, contact: Contact | None, code: str,
        why: str) -> None:
    async def story(desk: Desk) -> None:
        answer, version = await desk.an_answer(channel, contact)
        await desk.delivery.deliver(answer, version)
        failed = (await desk.history(answer.problem_id))[-1]
        assert isinstance(failed, AnswerDeliveryFailed)
        assert (failed.answer_version, failed.code) == (version, code)
        assert why in failed.reason

    outside.run(story, wechat=False)


def test_a_passing_failure_records_nothing_so_the_answer_is_offered_again(
        outside: Outside) -> None:
    async def story(desk: Desk) -> None:
        answer, version = await desk.an_answer(Channel.MAILBOX, Contact(email=READER))
        with pytest.raises(TryLaterError):
            await desk.delivery.deliver(answer, version)
        assert (await desk.history(answer.problem_id))[-1] == answer

    outside.run(story, relay=f"127.0.0.1:{free_port()}")
