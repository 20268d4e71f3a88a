"""The HTTP gateway of `rectify up` runs in a process of its own: started again on the same
port when it dies, and gone when `rectify up` is killed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from services.runtime.config import read_runtime
from tests.integration.harness import RectifyProcess, wait_until

pytestmark = pytest.mark.integration

REPORT = {"channel": "website", "unit": "沁园分局", "category": "procedure",
          "problem": "行政处罚前未告知陈述申辩权利", "case": "某餐馆油烟案"}


@pytest.fixture
def rectify_up(tmp_path: Path) -> Iterator[RectifyProcess]:
    process = RectifyProcess(tmp_path / "data")
    process.start()
    yield process
    if process.process is not None and process.process.poll() is None:
        process.stop()


def http_url(up: RectifyProcess) -> str:
    info = read_runtime(up.data_dir)
    assert info is not None
    endpoints = info["endpoints"]
    assert isinstance(endpoints, dict)
    return str(endpoints["http"])


def gateway_child(up: RectifyProcess) -> psutil.Process:
    assert up.process is not None
    children = [c for c in psutil.Process(up.process.pid).children()
                if "services.intake.http_process" in " ".join(c.cmdline())]
    assert len(children) == 1, children
    return children[0]


def filed(url: str, intake_id: str) -> int:
    answer = httpx.post(f"{url}/api/v1/reports", json={**REPORT, "intake_id": intake_id},
                        timeout=30)
    return answer.status_code


def test_the_api_is_served_by_a_child_process_that_comes_back_on_its_port(
        rectify_up: RectifyProcess) -> None:
    url = http_url(rectify_up)
    child = gateway_child(rectify_up)
    assert filed(url, "before") == 202
    child.kill()
    child.wait(10)

    async def answering_again() -> bool:
        try:
            return await asyncio.to_thread(filed, url, "after") == 202
        except httpx.HTTPError:
            return False

    asyncio.run(wait_until(answering_again, timeout=60, what="the API back on its port"))
    assert gateway_child(rectify_up).pid != child.pid
    assert http_url(rectify_up) == url


def test_the_child_stops_when_rectify_up_is_killed(rectify_up: RectifyProcess) -> None:
    child = gateway_child(rectify_up)
    rectify_up.kill()
    deadline = time.monotonic() + 30
    while child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the HTTP gateway outlived rectify up"
        time.sleep(0.1)
