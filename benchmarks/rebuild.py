"""Rebuild throughput: every read model rebuilt from EVENTS versus the raw read rate of EVENTS.

Run ``python -m benchmarks.rebuild [--count 100000] [--runs 3]``. It starts its own embedded
nats-server and puts ``--count`` events on EVENTS exactly as the relay does (sequence N is
position N, the relay's headers). The events are one campaign's story told through the real
Problem and Unit aggregates, so every event could have come from the write side: units,
problems and notice numbers carry over from the first event to the last. A child process
generates and publishes them, so that its memory is not counted against the rebuild's.

Then, ``--runs`` times on the same stream and in turn, it measures

* **raw**: an ordered consumer reading the whole stream, doing nothing with the messages;
* **rebuild**: ``projections.engine.rebuild.rebuild`` of every read model into a new SQLite file.

Progress goes to stderr (with resident memory, to show it stays flat). Stdout ends with each
run's figures, their spread, and one JSON line with the median run's ``rebuild_per_s``,
``raw_read_per_s``, ``ratio``, the highest ``peak_rss_mb`` of the rebuilds, ``count``, and
``ratios`` (every run's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nats
import psutil
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from events.subjects import EVENTS_STREAM, EVENTS_SUBJECTS
from projections.engine.rebuild import rebuild
from projections.engine.runner import OnProgress, Progress
from projections.engine.store import SqliteStore
from services.runtime.nats_server import EmbeddedNats
from services.runtime.streams import ensure_streams
from tests.projections.stories import RandomCampaign
from tests.projections.streams import TEST_SEAL_KEY, EventsStream

PROGRESS_SECONDS = 2.0
SLICE = 10_000
DISTRICTS = ("东城", "西城", "南关", "北关", "新城", "老城", "开发区", "高新区", "港区", "经开区",
             "中原", "二七", "金水", "惠济", "管城", "上街")
UNITS = (*(f"{district}分局" for district in DISTRICTS), "执法支队", "机动大队")
DAYS_PER_STEP = 1 / 1000
"""About 86 s between commands: 100,000 events are a campaign of a few months."""


def rss_mb() -> float:
    """Resident memory of this process and of the rebuild's writer process, if running."""
    me = psutil.Process()
    ours = [me, *(child for child in me.children() if child.name() != "nats-server")]
    total = 0
    for process in ours:
        with contextlib.suppress(psutil.NoSuchProcess):  # the writer may just have ended
            total += process.memory_info().rss
    return total / 2**20


def cpu_seconds() -> float:
    """CPU time of this process, every thread, and of its ended children (the rebuild's writer
    process): less moved by other load than the wall clock."""
    times = psutil.Process().cpu_times()
    return float(times.user + times.system + times.children_user + times.children_system)


async def fill(url: str, count: int) -> None:
    """``count`` events of one campaign on EVENTS, told and published a slice at a time."""
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        await ensure_streams(js)
        stream = EventsStream(js)
        story = RandomCampaign(random.Random(2023), units=UNITS, days_per_step=DAYS_PER_STEP)
        shown = time.monotonic()
        while stream.last < count:
            await stream.publish(story.take(min(SLICE, count - stream.last)))
            if time.monotonic() - shown >= PROGRESS_SECONDS or stream.last == count:
                shown = time.monotonic()
                print(f"published {stream.last:,} / {count:,} events", file=sys.stderr)
    finally:
        await client.close()


def fill_in_child(url: str, count: int) -> None:
    asyncio.run(fill(url, count))


async def raw_read(js: JetStreamContext, count: int) -> float:
    """Messages per second through an ordered consumer that does nothing with them."""
    received = 0
    finished = asyncio.Event()
    started = time.perf_counter()

    async def on_message(_: object) -> None:
        nonlocal received
        received += 1
        if received >= count:
            finished.set()

    subscription = await js.subscribe(
        EVENTS_SUBJECTS, ordered_consumer=True, cb=on_message,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
    await asyncio.wait_for(finished.wait(), timeout=3600)
    elapsed = time.perf_counter() - started
    await subscription.unsubscribe()
    return count / elapsed


def progress_printer(peaks: list[float]) -> OnProgress:
    shown = [time.monotonic()]

    def show(progress: Progress) -> None:
        peaks.append(rss_mb())
        now = time.monotonic()
        if now - shown[0] >= PROGRESS_SECONDS:
            shown[0] = now
            rate = progress.applied / progress.elapsed if progress.elapsed else 0.0
            print(f"rebuild {progress.position:,} / {progress.target:,} events, {rate:,.0f}/s,"
                  f" rss {peaks[-1]:.0f} MB", file=sys.stderr)

    return show


@dataclass(frozen=True)
class Run:
    raw_per_s: float
    rebuild_per_s: float
    peak_rss_mb: float
    raw_cpu_us: float
    """CPU microseconds per event of the raw read (this process; nats-server's not counted)."""
    rebuild_cpu_us: float

    @property
    def ratio(self) -> float:
        return self.rebuild_per_s / self.raw_per_s

    @property
    def cpu_ratio(self) -> float:
        """The ratio the two would have with a core each to themselves."""
        return self.raw_cpu_us / self.rebuild_cpu_us


async def measure(js: JetStreamContext, last: int, path: Path) -> Run:
    cpu = cpu_seconds()
    raw = await raw_read(js, last)
    raw_cpu_us = (cpu_seconds() - cpu) / last * 1e6
    print(f"raw ordered consumer: {raw:,.0f} msg/s, {raw_cpu_us:.1f} µs CPU/event,"
          f" rss {rss_mb():.0f} MB", file=sys.stderr)
    store = SqliteStore(path)
    peaks = [rss_mb()]
    started, cpu = time.perf_counter(), cpu_seconds()
    reached = await rebuild(js, store, on_progress=progress_printer(peaks), key=TEST_SEAL_KEY)
    elapsed, rebuild_cpu_us = time.perf_counter() - started, (cpu_seconds() - cpu) / last * 1e6
    store.close()
    await asyncio.to_thread(path.unlink)
    if reached != last:
        raise RuntimeError(f"the rebuild reached {reached}, not the stream's last {last}")
    run = Run(raw, last / elapsed, max(peaks), raw_cpu_us, rebuild_cpu_us)
    print(f"rebuild: {run.rebuild_per_s:,.0f} events/s in {elapsed:.1f}s = {run.ratio:.1%} of"
          f" raw; {rebuild_cpu_us:.1f} µs CPU/event = {run.cpu_ratio:.1%} of raw's;"
          f" peak rss {run.peak_rss_mb:.0f} MB", file=sys.stderr)
    return run


async def main(count: int, runs: int, directory: Path) -> tuple[int, list[Run]]:
    server = EmbeddedNats(directory / "nats", sync_always=False)
    server.start()
    try:
        filler = multiprocessing.get_context("spawn").Process(
            target=fill_in_child, args=(server.url, count), daemon=True)
        filler.start()
        await asyncio.to_thread(filler.join)
        if filler.exitcode != 0:
            raise RuntimeError(f"generating the events failed (exit code {filler.exitcode})")
        client = await nats.connect(server.url)
        try:
            js = client.jetstream()
            last = int((await js.stream_info(EVENTS_STREAM)).state.last_seq)
            results = [await measure(js, last, directory / f"read-models-{n}.sqlite3")
                       for n in range(runs)]
        finally:
            await client.close()
    finally:
        server.stop()
    return last, results


def summary(count: int, results: list[Run]) -> dict[str, object]:
    median = sorted(results, key=lambda r: r.ratio)[len(results) // 2]
    return {"rebuild_per_s": round(median.rebuild_per_s),
            "raw_read_per_s": round(median.raw_per_s), "ratio": round(median.ratio, 3),
            "peak_rss_mb": round(max(r.peak_rss_mb for r in results), 1), "count": count,
            "ratios": [round(r.ratio, 3) for r in results],
            "cpu_us_per_event": {"raw": round(median.raw_cpu_us, 1),
                                 "rebuild": round(median.rebuild_cpu_us, 1)},
            "cpu_ratios": [round(r.cpu_ratio, 3) for r in results]}


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000, help="events on the stream")
    parser.add_argument("--runs", type=int, default=1,
                        help="raw read and rebuild pairs measured on the same stream")
    args = parser.parse_args()
    if args.count < 1 or args.runs < 1:
        parser.error("--count and --runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="rectify-bench-") as directory:
        count, results = asyncio.run(main(args.count, args.runs, Path(directory)))
    for n, run in enumerate(results, start=1):
        print(f"run {n}: rebuild {run.rebuild_per_s:,.0f}/s vs raw read {run.raw_per_s:,.0f}/s"
              f" = {run.ratio:.1%}; CPU per event {run.rebuild_cpu_us:.1f} µs vs"
              f" {run.raw_cpu_us:.1f} µs = {run.cpu_ratio:.1%}; peak RSS {run.peak_rss_mb:.0f} MB")
    ratios = [r.ratio for r in results]
    print(f"{count:,} events, {len(results)} run(s): ratio median"
          f" {statistics.median(ratios):.1%}, min {min(ratios):.1%}, max {max(ratios):.1%}")
    print(json.dumps(summary(count, results)))


if __name__ == "__main__":
    cli()
