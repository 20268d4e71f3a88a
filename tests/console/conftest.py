"""One secured ``rectify up`` (console included) per module, its staff enrolled through the
real CLI, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import Result
from playwright.sync_api import Browser, sync_playwright

from services.runtime.config import read_runtime
from tests.console.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.identity.desk import Desk, secured, staffed

OWN, OTHER, OFFICE = "沁园分局", "玉泉分局", "法规与科技标准科"
STAFF = (
    ("wangke", "法规与科技标准科 王科长", OFFICE, "campaign_office"),
    ("zhaoganshi", "法规与科技标准科 赵干事", OFFICE, "campaign_office"),
    ("zhangsan", "沁园分局 张三", OWN, "unit_staff"),
    ("qyfzr", "沁园分局 负责人", OWN, "unit_leader"),
    ("yqstaff", "玉泉分局 孙五", OTHER, "unit_staff"),
    ("rexian", "12345热线 吴接线员", "热线中心", "hotline_operator"),
    ("chayue", "信访科 郑科长", "信访科", "reporter_data_reader"),
    ("shenji", "审计室 审计管理员", "审计室", "audit_admin"),
)
EVIDENCE_LIMIT_MB = "0.05"
"""Small, so that the test's oversized file is small too."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ThreadedDesk(Desk):
    """The staff's CLI run in a worker thread: Playwright's sync API holds an event loop in
    this thread, and the CLI starts its own with ``asyncio.run``."""

    def cli(self, login: str | None, *args: str) -> Result:
        with ThreadPoolExecutor(1) as worker:
            return worker.submit(super().cli, login, *args).result()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("console")
    up = secured(root / "data")
    up.env["RECTIFY_EVIDENCE_MAX_MB"] = EVIDENCE_LIMIT_MB
    up.env["RECTIFY_CONSOLE_PORT"] = str(free_port())  # the same address after a restart
    with staffed(up, root, STAFF, ThreadedDesk) as desk:
        yield desk


@pytest.fixture(scope="module")
def console_url(desk: Desk) -> str:
    info = read_runtime(desk.up.data_dir)
    assert info is not None
    endpoints = info["endpoints"]
    assert isinstance(endpoints, dict)
    url = str(endpoints["console"])
    assert url.startswith("http://127.0.0.1:")  # the internal network only, by default
    return url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread, which
    must be gone before other modules' tests call ``asyncio.run``."""
    if not os.access(CHROMIUM, os.X_OK):
        missing = f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does)"
        if os.environ.get("RECTIFY_TESTS_NEED_CHROMIUM") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # this run's screenshots only
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
