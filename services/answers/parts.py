"""The ``answers`` part of ``rectify up`` (``--without answers``): every ``ReporterAnswered`` on
EVENTS is delivered to its reporter, and the delivery recorded on the problem.

It reads EVENTS through the durable pull consumer ``answers``, filtered to
``events.*.ReporterAnswered``, one message at a time, and acknowledges a message only after the
delivery (or the refusal) is recorded. A passing failure is offered again after a pause that
doubles each time (1 s … 5 min), without acknowledging; the answers behind it go on meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

import httpx
import nats
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from events.lifecycle import ReporterAnswered
from events.recorded import parse_recorded
from events.seal import SealKey
from events.subjects import ANSWERS_DURABLE, EVENTS_STREAM, HEADER_PROBLEM_VERSION, events_of_type
from projections.engine.reading import check_seal
from services.answers.delivery import Delivery, Routes
from services.answers.outcomes import TryLaterError
from services.answers.wechat_api import WeChatApi
from services.reporters.keys import IntakeKeys
from services.runtime.config import Settings
from services.runtime.context import PartContext
from services.runtime.faults import is_passing

log = logging.getLogger(__name__)

ACK_WAIT_SECONDS = 60.0
"""Longer than one delivery can take (SMTP 15 s; WeChat two calls of 10 s and a token)."""
HTTP_TIMEOUT_SECONDS = 10.0
IDLE_POLL_SECONDS = 1.0
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 300.0
STOP_WAIT_SECONDS = 30.0


def retry_delay(attempt: int) -> float:
    """The pause after the ``attempt``-th (from 1) delivery of an answer failed for now."""
    doublings = min(max(attempt - 1, 0), 20)
    return min(RETRY_FIRST_SECONDS * (1 << doublings), RETRY_MAX_SECONDS)


async def consume(js: JetStreamContext, delivery: Delivery, key: SealKey, stop: asyncio.Event,
                  after_each: Callable[[], None]) -> None:
    """Deliver answers as they are recorded until ``stop`` is set (between two messages); an
    answer without the relay's seal (forged into EVENTS) is never sent: the part halts."""
    subscription = await js.pull_subscribe(
        events_of_type("ReporterAnswered"), durable=ANSWERS_DURABLE, stream=EVENTS_STREAM,
        config=ConsumerConfig(ack_wait=ACK_WAIT_SECONDS, deliver_policy=DeliverPolicy.ALL))
    try:
        while not stop.is_set():
            try:
                [msg] = await subscription.fetch(1, timeout=IDLE_POLL_SECONDS)
            except TimeoutError:  # nats.errors.TimeoutError is one too
                continue
            except Exception as error:
                if not is_passing(error):
                    raise  # e.g. the consumer is gone: the supervisor starts the loop afresh
                log.warning("fetching answers failed (%s); trying again", error)
                await asyncio.sleep(IDLE_POLL_SECONDS)
                continue
            check_seal(key, msg.metadata.sequence.stream, msg)
            await _deliver(msg, delivery)
            after_each()
    finally:
        with contextlib.suppress(NatsError):
            await subscription.unsubscribe()


async def _deliver(msg: Msg, delivery: Delivery) -> None:
    answered = parse_recorded(msg.data)
    if not isinstance(answered, ReporterAnswered):  # the filter lets only answers through
        await msg.ack()
        return
    version = int((msg.headers or {})[HEADER_PROBLEM_VERSION])
    try:
        await delivery.deliver(answered, version)
    except TryLaterError as later:
        delay = retry_delay(msg.metadata.num_delivered)
        log.warning("answer %s/%d not sent (%s); again in %g s", answered.problem_id, version,
                    later, delay)
        await msg.nak(delay=delay)
        return
    await msg.ack()


def routes(settings: Settings, http: httpx.AsyncClient) -> Routes:
    """Mail through the intake's relay; WeChat when the app id and secret are configured."""
    answers = settings.answers
    wechat = None
    if answers.wechat_appid and answers.wechat_secret:
        wechat = WeChatApi(http, answers.wechat_api, answers.wechat_appid, answers.wechat_secret)
    return Routes(settings.intake.mailbox, settings.intake.smtp_relay, wechat)


@contextlib.asynccontextmanager
async def answers(context: PartContext) -> AsyncIterator[None]:
    """Delivers answers while ``rectify up`` runs; a crash is the alarm ``answers``."""
    keys = IntakeKeys.for_settings(context.settings, create=True)
    recording = context.recording
    client = await nats.connect(context.nats_url, name="rectify-answers")
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
        way_out = routes(context.settings, http)
        delivery = Delivery(recording.casework, recording.store, keys, way_out,
                            recording.recorded)

        def report() -> None:  # `rectify status` shows the ways out and the counts
            mail = way_out.mail_relay or "—"
            wechat = "on" if way_out.wechat else "off"
            context.endpoints["answers"] = (f"mail via {mail}, WeChat {wechat}; delivered "
                                            f"{delivery.delivered}, failed {delivery.failed}")

        report()
        stop = asyncio.Event()
        task = context.supervisor.start("answers", lambda: consume(
            client.jetstream(), delivery, context.seal_key, stop, report))
        try:
            yield
        finally:
            # Let a delivery under way be recorded: cut short, it would be sent again.
            stop.set()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(task), STOP_WAIT_SECONDS)
            await context.supervisor.stop("answers")
            await client.close()
