"""Intake throughput: raw JetStream publish versus submission → event store → EVENTS.

Run ``python -m benchmarks.intake [--count 10000] [--data-dir DIR]``. Progress goes to stderr,
a summary to stdout, and the last line of stdout is one JSON object with ``end_to_end_per_s``,
``raw_per_s``, ``ratio`` and ``count``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nats
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from events.identity import intake_key
from events.lifecycle import Reporter
from events.subjects import CASEWORK_DURABLE, EVENTS_STREAM, HEADER_MSG_ID, INTAKE_STREAM
from events.submission import IntakeSubmission
from events.vocabulary import Category, Channel
from services.runtime.config import Settings
from services.runtime.context import Runtime
from services.runtime.process import running

BENCH_STREAM = "BENCH"
BENCH_SUBJECT = "bench.intake"
CHANNEL = Channel.WEBSITE
POLL_SECONDS = 0.05
PROGRESS_SECONDS = 1.0


def submission_bytes(index: int, run: str) -> bytes:
    """A realistic website submission: about 500 bytes of JSON, mostly Chinese text."""
    submission = IntakeSubmission(
        channel=CHANNEL,
        intake_id=f"bench-{run}-{index:07d}",
        unit="市场监督管理局",
        category=Category.OVER_INSPECTION,
        problem="同一周内三个部门先后到店检查消防和食品安全，内容重复，影响正常经营。",
        case="2024年3月，某餐饮企业反映市场监管、消防、卫健部门分别上门检查，"
             "要求提供的材料基本相同，企业需停业接待，希望能够联合检查、一次办结。",
        submitted_at=datetime(2024, 3, 18, 9, 30, tzinfo=UTC),
        reporter=Reporter(name="王女士", phone="138 0000 0000"),
        enterprise="某某餐饮有限公司",
    )
    return submission.model_dump_json(exclude_none=True).encode()


@dataclass
class Counts:
    """What the progress line shows."""

    published: int = 0
    acked: int = 0
    recorded: int = 0
    relayed: int = 0


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextlib.asynccontextmanager
async def progress(label: str, counts: Counts,
                   refresh: Callable[[], Awaitable[None]] | None = None) -> AsyncIterator[None]:
    """A line on stderr about every second while the block runs."""

    async def report() -> None:
        start = time.perf_counter()
        while True:
            await asyncio.sleep(PROGRESS_SECONDS)
            if refresh is not None:
                await refresh()
            log(f"  [{label} {time.perf_counter() - start:5.1f}s] published {counts.published}"
                f"  acked {counts.acked}  recorded {counts.recorded}  relayed {counts.relayed}")

    task = asyncio.create_task(report())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def publish_all(js: JetStreamContext, subject: str, payloads: Iterator[tuple[str, bytes]],
                      counts: Counts) -> None:
    """publish_async every payload (with its Nats-Msg-Id), then wait for every ack."""
    futures = []
    for msg_id, payload in payloads:
        futures.append(await js.publish_async(subject, payload, headers={HEADER_MSG_ID: msg_id}))
        counts.published += 1
    for future in futures:
        await future
        counts.acked += 1


async def raw_publish(js: JetStreamContext, count: int, payload: bytes) -> float:
    """Messages per second of plain publish_async to a file-stored stream on the same server."""
    with contextlib.suppress(NotFoundError):
        await js.delete_stream(BENCH_STREAM)
    await js.add_stream(StreamConfig(name=BENCH_STREAM, subjects=["bench.>"],
                                     storage=StorageType.FILE))
    counts = Counts()
    async with progress("raw", counts):
        start = time.perf_counter()
        await publish_all(js, BENCH_SUBJECT,
                          ((f"bench:{i}", payload) for i in range(count)), counts)
        elapsed = time.perf_counter() - start
    info = await js.stream_info(BENCH_STREAM)
    if info.state.messages != count:
        raise RuntimeError(f"BENCH holds {info.state.messages} messages, expected {count}")
    await js.delete_stream(BENCH_STREAM)
    return count / elapsed


async def end_to_end(runtime: Runtime, js: JetStreamContext, count: int, run: str,
                     patience: float) -> float:
    """Messages per second from the first INTAKE publish until EVENTS holds ``count`` events."""
    base = (await js.stream_info(EVENTS_STREAM)).state.last_seq
    deliveries_before = await _deliveries(js)
    target = base + count
    payloads = [(intake_key(CHANNEL, f"bench-{run}-{i:07d}"), submission_bytes(i, run))
                for i in range(count)]
    counts = Counts()

    async def refresh() -> None:
        counts.recorded = await runtime.store.run(runtime.casework.position) - base
        counts.relayed = runtime.relay.published - base

    async with progress("end to end", counts, refresh):
        start = time.perf_counter()
        publisher = asyncio.create_task(
            publish_all(js, f"intake.{CHANNEL.value}", iter(payloads), counts))
        deadline = start + patience
        last_seq = base
        while last_seq < target:
            if publisher.done():
                publisher.result()  # a failed publish ends the run
            if time.perf_counter() > deadline:
                raise TimeoutError(f"EVENTS reached {last_seq - base} of {count} in {patience}s")
            await asyncio.sleep(POLL_SECONDS)
            last_seq = (await js.stream_info(EVENTS_STREAM)).state.last_seq
        elapsed = time.perf_counter() - start
        await publisher
    counts.relayed = last_seq - base
    if last_seq != target:
        raise RuntimeError(f"EVENTS went to {last_seq - base}, expected exactly {count}")
    redelivered = await _deliveries(js) - deliveries_before - count
    log(f"  done: {count} relayed; {redelivered} intake messages were delivered again")
    if redelivered > 0:
        info = await js.consumer_info(INTAKE_STREAM, CASEWORK_DURABLE)
        log(f"  warning: casework got some messages only after the consumer's ack wait"
            f" ({info.config.ack_wait} s); this run's end-to-end figure includes that wait")
    return count / elapsed


async def _deliveries(js: JetStreamContext) -> int:
    """How many messages the casework consumer has delivered, redeliveries included."""
    info = await js.consumer_info(INTAKE_STREAM, CASEWORK_DURABLE)
    return int(info.delivered.consumer_seq) if info.delivered else 0


async def bench(count: int, data_dir: Path, patience: float,
                sync_always: bool = True) -> dict[str, float | int]:
    run = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    async with running(Settings(data_dir=data_dir, sync_always=sync_always)) as runtime:
        log(f"pipeline up: nats {runtime.nats_url}, store in {data_dir}")
        # Each part's bus user may do only its own work: the benchmark makes its stream and
        # publishes to INTAKE as the administrator.
        admin = await nats.connect(runtime.url_for("admin"), name="rectify-bench")
        try:
            js = admin.jetstream()
            log(f"raw JetStream publish_async of {count} messages to {BENCH_STREAM} …")
            raw = await raw_publish(js, count, submission_bytes(0, run))
            log(f"end to end: {count} submissions to {INTAKE_STREAM} until {EVENTS_STREAM}"
                " has them …")
            e2e = await end_to_end(runtime, js, count, run, patience)
        finally:
            await admin.close()
    return {"end_to_end_per_s": round(e2e, 1), "raw_per_s": round(raw, 1),
            "ratio": round(e2e / raw, 4), "count": count}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.intake", description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="messages per measurement")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where NATS and the event store keep data (default: a temp dir)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds to wait for EVENTS to catch up before failing")
    parser.add_argument("--no-sync-always", dest="sync_always", action="store_false",
                        help="diagnosis only: run nats-server without sync_interval always")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    size = len(submission_bytes(0, "x" * 20))
    with contextlib.ExitStack() as stack:
        data_dir: Path = args.data_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="rectify-bench-")))
        result = asyncio.run(bench(args.count, data_dir, args.timeout, args.sync_always))
    sync = "sync_interval always" if args.sync_always else "NO sync_interval always"
    print(f"intake benchmark, {args.count} messages of about {size} bytes, {sync}, "
          "SQLite event store")
    print(f"  raw JetStream publish_async : {result['raw_per_s']:>10,.0f} msg/s")
    print(f"  submission → EVENTS         : {result['end_to_end_per_s']:>10,.0f} msg/s")
    print(f"  ratio                       : {result['ratio']:>10.1%}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
