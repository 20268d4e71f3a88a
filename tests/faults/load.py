"""Load for the fault suite: busy CPUs, reports at a steady rate, and the checks every fault
test ends with (each acknowledged report exactly one problem, EVENTS equal to the store, every
read model equal to a clean rebuild, no alarm)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import nats
from nats.aio.msg import Msg

from events.identity import problem_id_for
from events.subjects import EVENTS_STREAM, HEADER_POSITION, HEADER_PROBLEM_ID
from events.vocabulary import Channel
from projections.engine.store import SqliteStore, live_positions
from tests.builders import a_submission
from tests.integration.harness import RectifyProcess, publish, wait_until

SPIN = "while True: pass"


@contextlib.contextmanager
def busy_cpus(per_core: int = 2) -> Iterator[None]:
    """``per_core`` processes spinning on every core, pinned there, until the block ends."""
    cores = sorted(os.sched_getaffinity(0))
    spinners = []
    for core in cores:
        for _ in range(per_core):
            spinner = subprocess.Popen([sys.executable, "-c", SPIN])
            os.sched_setaffinity(spinner.pid, {core})
            spinners.append(spinner)
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def a_report(n: int) -> dict[str, Any]:
    return {"unit": "沁园分局", "category": "procedure", "intake_id": f"load-{n}-{uuid.uuid4()}",
            "problem": f"第 {n} 号：处罚前未告知陈述申辩权利", "case": f"某餐馆油烟案（{n}）"}


@dataclass
class Accepted:
    """What the gateways acknowledged, and when."""

    problems: dict[str, float] = field(default_factory=dict)
    """problem id → monotonic time of the 202 (or the PubAck)."""
    refused: Counter[str] = field(default_factory=Counter)


async def report_over_http(base: str, count: int, per_second: float,
                           accepted: Accepted) -> None:
    """``count`` reports through ``POST /api/v1/reports`` at a steady rate (as far as it goes)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        started = time.monotonic()

        async def one(n: int) -> None:
            try:
                answer = await client.post("/api/v1/reports", json=a_report(n))
            except httpx.HTTPError as failed:
                accepted.refused[type(failed).__name__] += 1
                return
            if answer.status_code == 202:
                accepted.problems[answer.json()["problem_id"]] = time.monotonic()
            else:
                accepted.refused[str(answer.status_code)] += 1

        tasks = []
        for n in range(count):
            await asyncio.sleep(max(0.0, started + n / per_second - time.monotonic()))
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)


async def report_over_nats(url: str, count: int, per_second: float, accepted: Accepted,
                           prefix: str) -> None:
    """``count`` submissions published to INTAKE; only those JetStream acknowledged count."""
    client = await nats.connect(url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    js = client.jetstream(timeout=2.0)
    started = time.monotonic()
    try:
        for n in range(count):
            await asyncio.sleep(max(0.0, started + n / per_second - time.monotonic()))
            submission = a_submission(intake_id=f"{prefix}-{n}")
            try:
                await publish(js, submission)
            except Exception as failed:  # the server is down or stopped: not acknowledged
                accepted.refused[type(failed).__name__] += 1
                continue
            problem = problem_id_for(Channel.WEBSITE, submission.intake_id)
            accepted.problems[str(problem)] = time.monotonic()
    finally:
        await client.close()


def status_of(up: RectifyProcess) -> dict[str, Any]:
    answer: dict[str, Any] = up.cli_json("status")
    return answer


def caught_up(status: dict[str, Any]) -> bool:
    last = status["streams"]["EVENTS"]["last_seq"]
    return bool(status["relay_lag"] == 0 and status["projections"]
                and all(p["position"] == last for p in status["projections"].values()))


def wait_caught_up(up: RectifyProcess, timeout: float) -> float:
    """Seconds until the relay and every projection stand at the store's position."""
    started = time.monotonic()

    async def holds() -> bool:
        return caught_up(status_of(up))

    asyncio.run(wait_until(holds, timeout=timeout, what="relay and projections caught up"))
    return time.monotonic() - started


async def reported_problems(url: str) -> Counter[str]:
    """How many ProblemReported each problem has on EVENTS."""
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        found: Counter[str] = Counter()
        sub = await js.subscribe("events.*.ProblemReported", ordered_consumer=True)
        pending = (await js.stream_info(EVENTS_STREAM)).state.last_seq
        with contextlib.suppress(TimeoutError):
            while pending:
                message = await sub.next_msg(timeout=5)
                found[(message.headers or {})[HEADER_PROBLEM_ID]] += 1
                pending = message.metadata.num_pending
        await sub.unsubscribe()
        return found
    finally:
        await client.close()


def views(up: RectifyProcess) -> list[Any]:
    return [up.view("ledger"), up.view("stats"), up.view("trail", "--by", "unit")]


def check_nothing_lost_and_all_consistent(up: RectifyProcess, url: str,
                                          accepted: Accepted) -> None:
    """Every acknowledged report is one problem; EVENTS equals the store; the views equal a
    clean rebuild; no alarm."""
    wait_caught_up(up, timeout=120)
    reported = asyncio.run(reported_problems(url))
    missing = [p for p in accepted.problems if reported[p] == 0]
    assert not missing, f"{len(missing)} acknowledged reports were not filed"
    assert all(n == 1 for n in reported.values()), "a problem reported twice"
    check = up.cli("repair")
    assert check.returncode == 0, check.stdout + check.stderr
    status = status_of(up)
    assert status["alarms"] == {}, status["alarms"]
    before = views(up)
    assert up.cli("rebuild").returncode == 0
    assert views(up) == before, "the live read models equal a clean rebuild"


class ProjectionWatch:
    """When each report's ``ProblemReported`` was projected: its stream position (seen as the
    relay publishes it) against the read store's position, polled every 10 ms."""

    def __init__(self, up: RectifyProcess) -> None:
        self.up = up
        self.position_of: dict[str, int] = {}
        self.projected_at: dict[str, float] = {}

    async def run(self, url: str, stop: asyncio.Event, expected: Accepted) -> None:
        """Watch until ``stop`` is set and every report in ``expected`` is projected."""
        client = await nats.connect(url)

        async def seen(message: Msg) -> None:
            headers = message.headers or {}
            self.position_of[headers[HEADER_PROBLEM_ID]] = int(headers[HEADER_POSITION])

        await client.subscribe("events.*.ProblemReported", cb=seen)
        store = SqliteStore(self.up.data_dir / "read-models.sqlite3")
        try:
            while not stop.is_set() or any(p not in self.projected_at
                                           for p in expected.problems):
                position = min(live_positions(store).values(), default=0)
                now = time.monotonic()
                for problem, at in self.position_of.items():
                    if at <= position and problem not in self.projected_at:
                        self.projected_at[problem] = now
                await asyncio.sleep(0.01)
        finally:
            store.close()
            await client.close()

    def percentiles(self, accepted: Accepted) -> dict[str, float]:
        """p50, p95, p99 and max milliseconds from acknowledgement to the row projected."""
        delays = sorted((self.projected_at[p] - at) * 1000 for p, at in accepted.problems.items()
                        if p in self.projected_at)
        if not delays:
            return {}
        def rank(q: float) -> float:
            return delays[min(len(delays) - 1, int(len(delays) * q))]
        return {"count": len(delays), "p50_ms": round(rank(0.5), 1),
                "p95_ms": round(rank(0.95), 1), "p99_ms": round(rank(0.99), 1),
                "max_ms": round(delays[-1], 1)}
