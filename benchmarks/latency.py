"""Freshness: how long from a report's 202 on the HTTP API until its row is in the ledger.

Run ``python -m benchmarks.latency [--rates 50,200,500] [--duration 30]``. It starts its own
``rectify up`` (a subprocess, in a temporary data directory, on free ports, the per-address
filing limit lifted since every report comes from this one client), then for each rate
posts that many reports per second to ``POST /api/v1/reports`` for ``--duration`` seconds, on
a fixed schedule (a late answer does not delay the next report). For every report it notes when
the 202 came back, and when the report's row became readable in the ledger's read model
(``ledger_rows`` of the live generation, polled every ``--poll`` seconds, 2 ms by default: the
polling adds at most that much). After each rate it waits until every accepted report is in the
ledger before the next rate starts.

Per rate it prints the reports accepted, the rate the client achieved, p50, p95, p99 and max of
202-to-ledger, and the API's own p99 response time. A rate is *sustained* when the client kept
up (at least 95 % of the asked rate), every report reached the ledger, and p99 is under
``--target-ms`` (100 ms by default). The last line of stdout is one JSON object: ``p50_ms``,
``p99_ms``, ``max_ms`` at 200/s (or the rate nearest it), ``sustained_per_s``, and every rate's
figures under ``rates``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from projections.engine.store import ReadStore, SqliteStore
from services.runtime.config import read_runtime
from tests.integration.harness import RectifyProcess

UNITS = ("东城分局", "西城分局", "开发区分局", "执法支队")
SETTLE_SECONDS = 60.0
"""How long after the last report every accepted report may take to reach the ledger."""


def a_report(rate: int, number: int) -> dict[str, Any]:
    """A realistic public report, distinct from every other (its own intake id)."""
    return {
        "channel": "website", "intake_id": f"latency-{rate}-{number}",
        "unit": UNITS[number % len(UNITS)], "category": "over_inspection",
        "problem": "同一企业一个月内被三个科室分别检查，检查内容重复",
        "case": f"第{number}号：某化工企业2月份接受检查三次，每次均要求提供相同材料。",
        "enterprise": "某化工有限公司", "reporter": {"name": "张三", "phone": "13800000000"},
    }


@dataclass
class RateResult:
    rate: int
    sent: int
    accepted: int
    achieved_per_s: float
    latencies_ms: list[float]
    api_ms: list[float]
    missing: int
    refused: dict[int, int] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)
    """CPU milliseconds per accepted report of ``rectify up`` and of its nats-server, from the
    first report until the last was in the ledger: what the load costs, whatever else runs."""

    def percentile(self, values: list[float], share: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def figures(self) -> dict[str, float | int]:
        latencies = self.latencies_ms
        return {
            "rate": self.rate, "sent": self.sent, "accepted": self.accepted,
            "achieved_per_s": round(self.achieved_per_s, 1), "missing": self.missing,
            "p50_ms": round(statistics.median(latencies), 1) if latencies else float("nan"),
            "p95_ms": round(self.percentile(latencies, 0.95), 1),
            "p99_ms": round(self.percentile(latencies, 0.99), 1),
            "max_ms": round(max(latencies), 1) if latencies else float("nan"),
            "api_p99_ms": round(self.percentile(self.api_ms, 0.99), 1),
            **{f"{name}_cpu_ms_per_report": round(ms, 2) for name, ms in self.cpu_ms.items()},
        }

    def sustained(self, target_ms: float) -> bool:
        return (self.achieved_per_s >= 0.95 * self.rate and self.missing == 0
                and not self.refused and self.percentile(self.latencies_ms, 0.99) < target_ms)


class ServerCpu:
    """CPU seconds used so far by ``rectify up`` (pid) and, apart, by its nats-server."""

    def __init__(self, pid: int) -> None:
        self.up = psutil.Process(pid)

    def seconds(self) -> dict[str, float]:
        def used(process: psutil.Process) -> float:
            times = process.cpu_times()
            return float(times.user + times.system)

        servers = [c for c in self.up.children() if c.name().startswith("nats-server")]
        return {"up": used(self.up), "nats": sum(used(c) for c in servers)}


class LedgerWatch:
    """Notes when each problem's row first shows in the live ledger, by polling the store."""

    def __init__(self, store: ReadStore) -> None:
        self.store, self.after = store, 0
        self.seen: dict[str, float] = {}
        self.polled = asyncio.Event()

    def poll(self) -> None:
        with self.store.read() as tx:
            if not tx.exists("ledger_rows"):
                return
            rows = tx.query(f"SELECT position, problem_id FROM {tx.table('ledger_rows')}"
                            " WHERE position > ? ORDER BY position", (self.after,))
        now = time.monotonic()
        for position, problem_id in rows:
            self.seen.setdefault(str(problem_id), now)
            self.after = max(self.after, int(position))

    async def run(self, interval: float) -> None:
        while True:
            self.poll()
            self.polled.set()
            await asyncio.sleep(interval)

    async def all_seen(self, problems: Collection[str]) -> None:
        """Return once every one of ``problems`` has shown in the ledger."""
        while any(p not in self.seen for p in problems):
            self.polled.clear()
            await self.polled.wait()


async def at_rate(session: aiohttp.ClientSession, watch: LedgerWatch, cpu: ServerCpu,
                  rate: int, duration: float, connections: int) -> RateResult:
    """Post ``rate`` reports a second on a fixed schedule through ``connections`` kept-alive
    connections, each used by one worker. A report waits in the client's queue when every
    connection is busy; its API time counts from its place in the schedule, not from when a
    connection took it, so a slow API shows in the API time instead of slowing the schedule."""
    total = max(1, round(rate * duration))
    accepted: dict[str, float] = {}
    api_ms: list[float] = []
    refused: dict[int, int] = {}
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()

    async def worker() -> None:
        while (job := await queue.get()) is not None:
            number, due = job
            try:
                async with session.post("/api/v1/reports", json=a_report(rate, number)) as answer:
                    body = await answer.read()
                    status = answer.status
            except aiohttp.ClientError:  # counted as refused: the API did not take it
                refused[0] = refused.get(0, 0) + 1
                continue
            answered = time.monotonic()
            api_ms.append((answered - due) * 1000)
            if status == 202:
                accepted[str(json.loads(body)["problem_id"])] = answered
            else:
                refused[status] = refused.get(status, 0) + 1

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    cpu_before = cpu.seconds()
    started = time.monotonic()
    for number in range(total):
        due = started + number / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((number, due))
        if number % max(1, rate * 5) == 0 and number:
            print(f"  {rate}/s: {number:,} of {total:,} sent, {len(accepted):,} accepted,"
                  f" {sum(p in watch.seen for p in accepted):,} in the ledger", file=sys.stderr)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    sending = time.monotonic() - started
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(watch.all_seen(accepted), SETTLE_SECONDS)
    cpu_after = cpu.seconds()
    latencies = [max(0.0, watch.seen[p] - at) * 1000 for p, at in accepted.items()
                 if p in watch.seen]
    cpu_ms = {name: (cpu_after[name] - cpu_before[name]) * 1000 / max(1, len(accepted))
              for name in cpu_after}
    return RateResult(rate, total, len(accepted), total / sending, latencies, api_ms,
                      sum(p not in watch.seen for p in accepted), refused, cpu_ms)


async def measure(http_url: str, read_store: str, pid: int, rates: list[int],
                  duration: float, poll: float, connections: int) -> list[RateResult]:
    cpu = ServerCpu(pid)
    store = SqliteStore(read_store)
    watch = LedgerWatch(store)
    watching = asyncio.create_task(watch.run(poll))
    try:
        async with aiohttp.ClientSession(
                base_url=http_url, timeout=aiohttp.ClientTimeout(total=120.0),
                connector=aiohttp.TCPConnector(limit=connections)) as session:
            results = []
            for rate in rates:
                print(f"{rate} reports/s for {duration:.0f}s …", file=sys.stderr)
                results.append(await at_rate(session, watch, cpu, rate, duration, connections))
                print(f"  {json.dumps(results[-1].figures())}", file=sys.stderr)
            return results
    finally:
        watching.cancel()
        store.close()


def endpoints(up: RectifyProcess) -> tuple[str, str]:
    info = read_runtime(up.data_dir)
    if info is None:
        raise RuntimeError("rectify up is not running")
    found = info.get("endpoints")
    if not isinstance(found, dict) or "http" not in found:
        raise RuntimeError(f"rectify up names no HTTP endpoint: {info}")
    return str(found["http"]), str(info["read_store"])


def report(results: list[RateResult], target_ms: float) -> dict[str, Any]:
    headline = min(results, key=lambda r: abs(r.rate - 200))
    sustained = max((r.rate for r in results if r.sustained(target_ms)), default=0)
    figures = headline.figures()
    return {"p50_ms": figures["p50_ms"], "p99_ms": figures["p99_ms"],
            "max_ms": figures["max_ms"], "at_rate": headline.rate,
            "sustained_per_s": sustained, "rates": [r.figures() for r in results]}


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rates", default="50,200,500",
                        help="reports per second, comma-separated (default 50,200,500)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds at each rate")
    parser.add_argument("--poll", type=float, default=0.002,
                        help="seconds between looks at the ledger")
    parser.add_argument("--connections", type=int, default=64,
                        help="kept-alive HTTP connections the client posts through")
    parser.add_argument("--target-ms", type=float, default=100.0,
                        help="p99 under which a rate counts as sustained")
    args = parser.parse_args()
    try:
        rates = [int(rate) for rate in args.rates.split(",")]
    except ValueError:
        parser.error(f"--rates: whole numbers separated by commas, not {args.rates!r}")
    if not rates or min(rates) < 1 or args.duration <= 0 or args.poll <= 0 \
            or args.connections < 1:
        parser.error("rates, --duration, --poll and --connections must be positive")
    with tempfile.TemporaryDirectory(prefix="rectify-latency-") as directory:
        up = RectifyProcess(Path(directory) / "data")
        up.data_dir.mkdir()
        # One client, one address: the per-address filing limit would refuse all but a few.
        up.env["RECTIFY_FILING_RATE"] = "1000000/minute"
        up.start(command="up", timeout=60.0)
        try:
            http_url, read_store = endpoints(up)
            assert up.process is not None
            results = asyncio.run(measure(http_url, read_store, up.process.pid, rates,
                                          args.duration, args.poll, args.connections))
        finally:
            up.stop()
    for result in results:
        figures = result.figures()
        verdict = "sustained" if result.sustained(args.target_ms) else "not sustained"
        print(f"{result.rate:>4}/s: {result.accepted:,} accepted at {figures['achieved_per_s']}/s;"
              f" 202→ledger p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms,"
              f" p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms; API p99"
              f" {figures['api_p99_ms']} ms; CPU per report: rectify up"
              f" {result.cpu_ms.get('up', 0):.2f} ms, nats-server"
              f" {result.cpu_ms.get('nats', 0):.2f} ms; {result.missing} never in the ledger"
              f"{f', refused {result.refused}' if result.refused else ''} ({verdict})")
    print(json.dumps(report(results, args.target_ms)))


if __name__ == "__main__":
    cli()
