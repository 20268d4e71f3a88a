"""`kill -9` of `rectify up` while submissions stream in loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nats
import pytest
from nats.errors import Error as NatsError

from events.identity import problem_id_for
from events.subjects import EVENTS_STREAM, HEADER_MSG_ID, HEADER_POSITION
from tests.builders import a_submission
from tests.faults.load import Accepted, check_nothing_lost_and_all_consistent
from tests.integration.harness import RectifyProcess, publish, wait_until
from tests.integration.test_rectify_up import events_on_stream

pytestmark = pytest.mark.integration

SUBMISSIONS = 1000


async def stream_in(url: str, up: RectifyProcess) -> list[int]:
    """Publish until the process dies under us (killed at a random-ish point); return the acked."""
    acknowledged: list[int] = []
    client = await nats.connect(url, allow_reconnect=False)
    js = client.jetstream()
    try:
        for n in range(SUBMISSIONS):
            if n == SUBMISSIONS // 3:
                up.kill()  # the embedded nats-server follows its parent down
            await publish(js, a_submission(intake_id=f"crash-{n}"))
            acknowledged.append(n)
    except (NatsError, OSError, TimeoutError):
        pass
    finally:
        await client.close()
    return acknowledged


def test_kill_9_while_submissions_stream_in_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    up = RectifyProcess(tmp_path / "data")
    acknowledged = asyncio.run(stream_in(up.start(), up))
    assert len(acknowledged) >= SUBMISSIONS // 3

    url = up.start()

    async def caught_up() -> bool:
        status = json.loads(up.cli("status", "--format", "json").stdout)
        return bool(status["relay_lag"] == 0
                    and status["store_position"] >= len(acknowledged))

    asyncio.run(wait_until(caught_up, timeout=60, what="every acknowledged submission filed"))
    on_stream = asyncio.run(events_on_stream(url))
    filed = {e["problem_id"] for _, _, e in on_stream}
    for n in acknowledged:
        assert str(problem_id_for(a_submission().channel, f"crash-{n}")) in filed
    assert len(filed) == len(on_stream), "each problem reported exactly once"
    assert [int(h[HEADER_POSITION]) for _, h, _ in on_stream] == list(range(1, len(on_stream) + 1))
    assert len({h[HEADER_MSG_ID] for _, h, _ in on_stream}) == len(on_stream)
    status = json.loads(up.cli("status", "--format", "json").stdout)
    assert status["streams"][EVENTS_STREAM]["last_seq"] == status["store_position"]
    accepted = Accepted({str(problem_id_for(a_submission().channel, f"crash-{n}")): 0.0
                         for n in acknowledged})
    check_nothing_lost_and_all_consistent(up, url, accepted)
    up.stop()
