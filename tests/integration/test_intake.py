"""Intake against a real nats-server: idempotent filing, and nothing dropped unexplained."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import nats
import pytest
from nats.js import JetStreamContext

from events.identity import problem_id_for
from events.subjects import HEADER_MSG_ID, HEADER_REJECTION_DETAIL, REJECTED_STREAM
from services.runtime.config import Settings
from services.runtime.context import Runtime
from services.runtime.nats_server import EmbeddedNats
from services.runtime.process import running
from tests.builders import a_submission
from tests.integration.harness import publish, wait_until

pytestmark = pytest.mark.integration


@asynccontextmanager
async def rectify(tmp_path: Path, server: EmbeddedNats) -> AsyncIterator[
        tuple[Runtime, JetStreamContext]]:
    async with running(Settings(data_dir=tmp_path / "data", nats_url=server.url)) as runtime:
        client = await nats.connect(server.url)
        try:
            yield runtime, client.jetstream()
        finally:
            await client.close()


async def problems_recorded(runtime: Runtime) -> int:
    return await runtime.store.run(runtime.casework.position)


def test_the_same_submission_sent_again_and_again_makes_one_problem(
        tmp_path: Path, nats_server: EmbeddedNats) -> None:
    async def story() -> None:
        async with rectify(tmp_path, nats_server) as (runtime, js):
            submission = a_submission()
            for _ in range(3):
                await publish(js, submission)
            # Past JetStream's de-duplication window: a different Nats-Msg-Id gets through it.
            await publish(js, submission, msg_id="resent-after-the-window")
            last = await publish(js, a_submission(intake_id="another"))
            await wait_until(lambda: _consumed(js, last), what="casework to consume INTAKE")
            assert await problems_recorded(runtime) == 2
            pid = problem_id_for(submission.channel, submission.intake_id)
            assert [f.type for f in runtime.casework.history(pid)] == ["ProblemReported"]

    asyncio.run(story())


async def _consumed(js: JetStreamContext, sequence: int) -> bool:
    """Casework has acknowledged everything on INTAKE up to ``sequence``."""
    info = await js.consumer_info("INTAKE", "casework")
    return bool(info.ack_floor.stream_seq >= sequence)


BAD_SUBMISSIONS = {
    "malformed JSON": b'{"channel": "website", "unit": ',
    "missing fields": json.dumps({"channel": "website", "intake_id": "x"}).encode(),
    "unknown category": a_submission(intake_id="bad-cat").model_dump_json().replace(
        '"over_inspection"', '"littering"').encode(),
    "wrong types": a_submission(intake_id="bad-type").model_dump_json().replace(
        '"submitted_at":"', '"submitted_at":12345,"x":"').encode(),
    "a 2 MB body": a_submission(intake_id="huge").model_dump_json().replace(
        '"case":"', '"case":"' + "案" * 700_000).encode(),
}


@pytest.mark.parametrize("name", list(BAD_SUBMISSIONS))
def test_bad_input_lands_in_rejected_with_a_readable_reason(
        name: str, tmp_path: Path, nats_server: EmbeddedNats) -> None:
    body = BAD_SUBMISSIONS[name]

    async def story() -> None:
        async with rectify(tmp_path, nats_server) as (runtime, js):
            ack = await js.publish("intake.website", body, headers={HEADER_MSG_ID: f"bad:{name}"})
            await wait_until(lambda: _consumed(js, ack.seq), what="casework to consume INTAKE")
            rejected = await js.get_msg(REJECTED_STREAM, 1)
            assert rejected.data == body
            assert rejected.headers is not None
            detail = json.loads(rejected.headers[HEADER_REJECTION_DETAIL])
            assert detail["zh"]
            assert detail["en"]
            assert await problems_recorded(runtime) == 0
            # The service keeps running: a good submission after the bad one is filed.
            await publish(js, a_submission())
            await wait_until(lambda: _has_position(runtime, 1), what="the good one to be filed")

    asyncio.run(story())


async def _has_position(runtime: Runtime, position: int) -> bool:
    return await problems_recorded(runtime) >= position


def test_a_missing_field_is_named_in_the_reason(tmp_path: Path,
                                                nats_server: EmbeddedNats) -> None:
    async def story() -> None:
        async with rectify(tmp_path, nats_server) as (_, js):
            ack = await js.publish("intake.website", BAD_SUBMISSIONS["missing fields"])
            await wait_until(lambda: _consumed(js, ack.seq), what="casework to consume INTAKE")
            rejected = await js.get_msg(REJECTED_STREAM, 1)
            assert rejected.headers is not None
            fields = {e["field"] for e in json.loads(rejected.headers[HEADER_REJECTION_DETAIL])
                      ["errors"]}
            assert {"unit", "category", "problem", "case"} <= fields

    asyncio.run(story())
