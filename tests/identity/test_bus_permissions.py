"""Each part's NATS user tries, with a real client against a real ``rectify up``, what it must
not do: the server refuses every attempt. Anonymous connections are refused outright."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.errors import Error as NatsError

from events.subjects import TRACKING_QUERY
from services.cli.client import connected, request
from services.reporters.tracking import formatted
from services.runtime.bus import user_url
from services.runtime.nats_server import EmbeddedNats
from tests.identity.desk import secured
from tests.integration.harness import RECTIFY, RectifyProcess, wait_until

FORBIDDEN: list[tuple[str, str, str]] = [
    # user, "publish" or "subscribe", subject
    ("http", "publish", "cmd.problem.close"),
    ("http", "publish", "events.玉泉分局.ProblemClosed"),
    ("http", "publish", "intake.self_inspection"),
    ("http", "publish", "intake.mailbox"),  # another gateway's channel
    ("http", "publish", "auth.login"),
    ("http", "publish", "$JS.API.STREAM.PURGE.EVENTS"),
    ("http", "publish", "$JS.API.STREAM.CREATE.FORGED"),
    ("http", "subscribe", "cmd.problem.*"),
    ("http", "subscribe", TRACKING_QUERY),  # answering lookups in casework's place
    ("http", "subscribe", "query.>"),
    ("http", "publish", "cmd.notice.issue"),
    ("smtp", "publish", "cmd.problem.close"),
    ("smtp", "publish", "events.玉泉分局.ProblemClosed"),
    ("smtp", "publish", "intake.website"),
    ("smtp", "subscribe", TRACKING_QUERY),
    ("reader", "publish", "cmd.problem.close"),
    ("reader", "publish", "intake.website"),
    ("reader", "publish", "cmd.notice.issue"),
    ("reader", "publish", "events.玉泉分局.ProblemClosed"),
    ("projections", "publish", "cmd.problem.close"),
    ("projections", "publish", "events.玉泉分局.ProblemClosed"),
    ("projections", "publish", "intake.website"),
    ("answers", "publish", "cmd.problem.close"),
    ("answers", "publish", "events.玉泉分局.ProblemClosed"),
    ("watchdog", "publish", "cmd.problem.close"),
    ("watchdog", "publish", "events.玉泉分局.ProblemClosed"),
    ("watchdog", "publish", "_INBOX.someone-elses-request"),
    ("watchdog", "subscribe", "cmd.problem.*"),
    ("console", "publish", "events.玉泉分局.ProblemClosed"),
    ("console", "publish", "$JS.API.STREAM.MSG.DELETE.EVENTS"),
    ("console", "subscribe", "cmd.problem.*"),
    ("staff", "publish", "events.玉泉分局.ProblemClosed"),
    ("staff", "publish", "$JS.API.STREAM.MSG.DELETE.EVENTS"),
    ("staff", "publish", "$JS.API.STREAM.PURGE.INTAKE"),
    ("staff", "subscribe", "cmd.problem.*"),
    ("staff", "subscribe", "cmd.notice.*"),
    ("staff", "subscribe", "intake.>"),
    ("casework", "publish", "events.玉泉分局.ProblemClosed"),
    ("casework", "publish", "$JS.API.STREAM.DELETE.EVENTS"),
    ("casework", "publish", "$JS.API.STREAM.PURGE.REJECTED"),
    ("casework", "publish", "$JS.API.STREAM.CREATE.FORGED"),
    ("console", "subscribe", TRACKING_QUERY),
    ("staff", "subscribe", TRACKING_QUERY),
    ("relay", "publish", "cmd.problem.close"),
    ("relay", "publish", "intake.website"),
    ("relay", "publish", "$JS.API.STREAM.MSG.DELETE.EVENTS"),
]


def reported_on_the_website(process: RectifyProcess) -> dict[str, Any]:
    """A public report through the http gateway (filed by it, as its NATS user)."""
    endpoint = process.cli_json("status")["endpoints"]["http"]
    filed = httpx.post(f"{endpoint}/api/v1/reports", timeout=30, json={
        "problem": "执法人员态度粗暴", "case": "检查时大声呵斥店员", "unit": "沁园分局"})
    assert filed.status_code == 202, filed.text
    receipt: dict[str, Any] = filed.json()
    return receipt


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RectifyProcess, str]]:
    process = secured(tmp_path_factory.mktemp("bus") / "data")
    process.start()
    try:
        yield process, process.cli_json("status")["nats_url"]
    finally:
        process.stop()


async def violations(url: str, action: str, subject: str) -> list[str]:
    """What the server said about ``action`` on ``subject`` by the user in ``url``."""
    said: list[str] = []

    async def on_error(error: Exception) -> None:
        said.append(str(error))

    client = await nats.connect(url, error_cb=on_error, allow_reconnect=False)
    try:
        if action == "publish":
            await client.publish(subject, json.dumps({"forged": True}).encode())
        else:
            await client.subscribe(subject)
        await client.flush()
        await wait_until(lambda: _said(said), timeout=5, what=f"{action} {subject} refused")
    finally:
        await client.close()
    return said


async def _said(said: list[str]) -> bool:
    return bool(said)


@pytest.mark.parametrize(("user", "action", "subject"), FORBIDDEN)
def test_a_part_cannot_do_what_is_not_its_job(up: tuple[RectifyProcess, str], user: str,
                                              action: str, subject: str) -> None:
    process, url = up
    said = asyncio.run(violations(user_url(process.data_dir, url, user), action, subject))
    assert any("permissions violation" in s.lower() for s in said), said


def test_a_gateway_learns_which_problem_a_tracking_number_names_only_from_casework(
        up: tuple[RectifyProcess, str]) -> None:
    process, url = up
    receipt = reported_on_the_website(process)
    own_making = formatted("ABCD2345")

    async def ask() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with connected(user_url(process.data_dir, url, "http")) as gateway:
            found: dict[str, Any] = {}

            async def filed() -> bool:  # casework finds it once the report is filed
                found.update(await request(gateway, TRACKING_QUERY,
                                           {"tracking": receipt["tracking"]}))
                return bool(found.get("ok"))

            await wait_until(filed, timeout=30, what="the tracking number found")
            made_up = await request(gateway, TRACKING_QUERY, {"tracking": own_making})
            garbage = await request(gateway, TRACKING_QUERY, b'{"tracking": ["x"]}')
            return found, made_up, garbage

    found, made_up, garbage = asyncio.run(ask())
    assert found["problem_id"] == receipt["problem_id"]
    assert (made_up["ok"], made_up["error"]["code"]) == (False, "unknown_tracking_number")
    assert (garbage["ok"], garbage["error"]["code"]) == (False, "invalid_query")


def test_an_anonymous_or_wrong_password_connection_is_refused(
        up: tuple[RectifyProcess, str], tmp_path: Path) -> None:
    _, url = up

    async def connect(address: str) -> str:
        try:
            client = await nats.connect(address, allow_reconnect=False,
                                        max_reconnect_attempts=0, connect_timeout=3)
        except NatsError as refused:
            return str(refused)
        await client.close()
        return "connected"

    assert "Authorization Violation" in asyncio.run(connect(url))
    wrong = url.replace("nats://", "nats://http:not-the-password@")
    assert "Authorization Violation" in asyncio.run(connect(wrong))


def test_each_part_may_do_its_own_job(up: tuple[RectifyProcess, str]) -> None:
    process, url = up

    async def gateway_files_and_reader_reads() -> tuple[int, int]:
        gateway = await nats.connect(user_url(process.data_dir, url, "http"))
        reader = await nats.connect(user_url(process.data_dir, url, "reader"))
        try:
            ack = await gateway.jetstream().publish("intake.website", b"{}")
            info = await reader.jetstream().stream_info("EVENTS")
        finally:
            await gateway.close()
            await reader.close()
        return int(ack.seq), int(info.state.last_seq)

    filed, _ = asyncio.run(gateway_files_and_reader_reads())
    assert filed >= 1
    for secret in (process.data_dir / "nats" / "users").iterdir():
        assert secret.stat().st_mode & 0o077 == 0, secret


def test_an_external_nats_configured_by_rectify_admits_each_part_as_its_user(
        tmp_path: Path) -> None:
    data_dir, conf = tmp_path / "data", tmp_path / "nats-auth.conf"
    made = subprocess.run([*RECTIFY, "nats-config", "--data-dir", str(data_dir), "-o",
                           str(conf)], capture_output=True, text=True, timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    assert conf.stat().st_mode & 0o077 == 0
    external = EmbeddedNats(tmp_path / "external", authorization=conf.read_text("utf-8"))
    external.start()
    process = secured(data_dir)
    try:
        process.start("--nats-url", external.url)
        filed = reported_on_the_website(process)
        assert process.cli_json("status")["streams"]["INTAKE"]["messages"] >= 1
        assert filed["tracking"].startswith("R-")
        said = asyncio.run(violations(user_url(data_dir, external.url, "http"), "publish",
                                      "events.沁园分局.ProblemClosed"))
        assert any("permissions violation" in s.lower() for s in said), said
    finally:
        if process.process is not None:
            process.stop()
        external.stop()
