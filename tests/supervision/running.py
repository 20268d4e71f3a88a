"""A real ``rectify up`` standing on a chosen day, for the supervision stories."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client

from events.subjects import EVENTS_STREAM, STATUS_QUERY, WATCHDOG_QUERY
from services.runtime.bus import user_url
from tests.integration.harness import RectifyProcess, wait_until

SECTION, CHECKER, UNIT_HEAD = "法规科 王科长", "法规科 赵干事", "沁园分局 张局长"


def rectify_at(data_dir: Path, moment: str) -> RectifyProcess:
    """``rectify up`` with the clock on ``moment`` and the watchdog sweeping often."""
    up = RectifyProcess(data_dir)
    up.env["RECTIFY_NOW"] = moment
    up.env["RECTIFY_WATCHDOG_SECONDS"] = "0.2"
    up.env.pop("RECTIFY_CAMPAIGN", None)
    up.start()
    return up


def restart_at(up: RectifyProcess, moment: str) -> None:
    assert up.stop() == 0
    up.env["RECTIFY_NOW"] = moment
    up.start()


def ok(up: RectifyProcess, *args: str) -> str:
    done = up.cli(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def settled(up: RectifyProcess, sweeps: int = 2, timeout: float = 60.0) -> None:
    """Wait until the watchdog has swept ``sweeps`` more times and the relay has caught up."""
    url = _url(up)

    async def wait() -> None:
        client = await nats.connect(url)
        try:
            start = await _ask(client, WATCHDOG_QUERY)
            assert start["alarm"] is None, start["alarm"]

            async def swept() -> bool:
                return int((await _ask(client, WATCHDOG_QUERY))["sweeps"]) >= \
                    int(start["sweeps"]) + sweeps

            async def relayed() -> bool:
                return int((await _ask(client, STATUS_QUERY))["relay_lag"]) == 0

            await wait_until(swept, timeout, "watchdog sweeps")
            await wait_until(relayed, timeout, "relay to catch up")
        finally:
            await client.close()

    asyncio.run(wait())
    log = (up.data_dir.parent / "up.log").read_text(errors="replace")
    assert "stopped:" not in log, log[-2000:]  # no part (projections included) halted


def stream(up: RectifyProcess) -> list[tuple[int, dict[str, str], dict[str, Any]]]:
    """Every message on EVENTS: sequence, headers, event."""
    async def read() -> list[tuple[int, dict[str, str], dict[str, Any]]]:
        client = await nats.connect(_url(up))
        try:
            js = client.jetstream()
            last = (await js.stream_info(EVENTS_STREAM)).state.last_seq
            found = []
            for seq in range(1, last + 1):
                msg = await js.get_msg(EVENTS_STREAM, seq)
                found.append((seq, dict(msg.headers or {}), json.loads(msg.data or b"null")))
            return found
        finally:
            await client.close()

    return asyncio.run(read())


def events_of_type(up: RectifyProcess, *types: str) -> list[dict[str, Any]]:
    return [event for _, _, event in stream(up) if event["type"] in types]


async def _ask(client: Client, subject: str) -> dict[str, Any]:
    answer = await client.request(subject, b"", timeout=10)
    decoded: dict[str, Any] = json.loads(answer.data)
    return decoded


def _url(up: RectifyProcess) -> str:
    url = str(json.loads((up.data_dir / "runtime.json").read_text("utf-8"))["nats_url"])
    return user_url(up.data_dir, url, "admin")
