"""Rebuild throughput: every read model rebuilt from EVENTS versus the raw read rate of EVENTS.

Run ``python -m benchmarks.rebuild [--count 100000]``. It starts its own embedded nats-server,
puts ``--count`` events of realistic problem histories on EVENTS exactly as the relay does
(sequence N is position N), then in the same run measures:

* **raw**: an ordered consumer reading the whole stream, doing nothing with the messages;
* **rebuild**: ``projections.rebuild.rebuild`` of every read model into a new SQLite file.

Progress goes to stderr (with resident memory, to show it stays flat); the last line of stdout
is one JSON object with ``rebuild_per_s``, ``raw_read_per_s``, ``ratio``, ``peak_rss_mb`` and
``count``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import nats
import psutil
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from events.subjects import EVENTS_STREAM, EVENTS_SUBJECTS
from projections.rebuild import rebuild
from projections.runner import OnProgress, Progress
from projections.store import SqliteStore
from services.runtime.nats_server import EmbeddedNats
from services.runtime.streams import ensure_streams
from tests.projections.stories import random_history
from tests.projections.streams import EventsStream

PROGRESS_SECONDS = 1.0


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


async def fill(js: JetStreamContext, count: int) -> None:
    """``count`` events on EVENTS, generated and published in slices to keep memory flat."""
    stream, rng, done = EventsStream(js), random.Random(2023), 0
    while done < count:
        # Independent slices of history: each slice's problems are its own.
        history = random_history(rng, min(10_000, count - done), prefix=f"{done}-")
        await stream.publish(history)
        done += len(history)
        print(f"published {done:,} / {count:,} events", file=sys.stderr)


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
    await asyncio.wait_for(finished.wait(), timeout=600)
    elapsed = time.perf_counter() - started
    await subscription.unsubscribe()
    return count / elapsed


def progress_printer() -> tuple[list[float], OnProgress]:
    peaks = [rss_mb()]
    shown = [0.0]

    def show(progress: Progress) -> None:
        peaks.append(rss_mb())
        now = time.monotonic()
        if now - shown[0] >= PROGRESS_SECONDS:
            shown[0] = now
            rate = progress.applied / progress.elapsed if progress.elapsed else 0.0
            print(f"rebuild {progress.position:,} / {progress.target:,} events, {rate:,.0f}/s,"
                  f" rss {peaks[-1]:.0f} MB", file=sys.stderr)

    return peaks, show


async def main(count: int, directory: Path) -> dict[str, float]:
    server = EmbeddedNats(directory / "nats", sync_always=False)
    server.start()
    try:
        client = await nats.connect(server.url)
        js = client.jetstream()
        await ensure_streams(js)
        await fill(js, count)
        last = (await js.stream_info(EVENTS_STREAM)).state.last_seq
        raw = await raw_read(js, last)
        print(f"raw ordered consumer: {raw:,.0f} msg/s", file=sys.stderr)
        store = SqliteStore(directory / "read-models.sqlite3")
        peaks, show = progress_printer()
        started = time.perf_counter()
        reached = await rebuild(js, store, on_progress=show)
        elapsed = time.perf_counter() - started
        store.close()
        await client.close()
    finally:
        server.stop()
    assert reached == last
    rebuilt = last / elapsed
    return {"rebuild_per_s": round(rebuilt), "raw_read_per_s": round(raw),
            "ratio": round(rebuilt / raw, 3), "peak_rss_mb": round(max(peaks), 1),
            "count": last}


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000, help="events on the stream")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rectify-bench-") as directory:
        result = asyncio.run(main(args.count, Path(directory)))
    print(f"rebuild {result['rebuild_per_s']:,}/s vs raw read {result['raw_read_per_s']:,}/s "
          f"= {result['ratio']:.1%}; peak RSS {result['peak_rss_mb']} MB")
    print(json.dumps(result))


if __name__ == "__main__":
    cli()
