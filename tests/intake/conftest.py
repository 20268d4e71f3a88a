"""One real ``rectify up`` per test module, with every gateway on, and an SMTP sink for acks."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import nats
import pytest
from aiosmtpd import smtp
from aiosmtpd.controller import Controller

from events.subjects import HISTORY_QUERY, INTAKE_STREAM, REJECTED_STREAM, TRACKING_QUERY
from services.cli.client import connected, request, wait_for_problem
from services.runtime.bus import user_url
from tests.integration.harness import RectifyProcess, wait_until

WECHAT_TOKEN = "rectify-test-token"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WECHAT_APPID = "wx2c2769f8efd9abc2"
MAILBOX = "jubao@hb.example.gov.cn"
MX = "mx.hb.example.gov.cn"
"""The bureau's MX: its Authentication-Results header is trusted."""
OPEN311_KEYS = {"key-portal-7f3a": "市民服务门户", "key-app-91c2": "掌上执法监督"}
LOOKUPS_PER_MINUTE = 30
FILINGS_PER_MINUTE = 20
REQUEST_TIMEOUT = 3.0


@dataclass
class Sink:
    """The outbound relay as tests see it: every message it was handed."""

    received: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: smtp.SMTP, session: smtp.Session,  # noqa: N802 (aiosmtpd's name)
                          envelope: smtp.Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append(BytesParser(policy=default_policy).parsebytes(content))
        return "250 OK"


@pytest.fixture(scope="module")
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def free_port() -> int:
    # aiosmtpd's Controller checks it is up by connecting to its port, so it needs a real one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Rectify:
    """A running ``rectify up`` and ways to look inside it."""

    process: RectifyProcess
    nats_url: str
    endpoints: dict[str, str]

    def last_seq(self, stream: str = INTAKE_STREAM) -> int:
        async def ask() -> int:
            client = await nats.connect(self.nats_url)
            try:
                return int((await client.jetstream().stream_info(stream)).state.last_seq)
            finally:
                await client.close()

        return asyncio.run(ask())

    def rejected(self, seq: int) -> tuple[bytes, dict[str, str]]:
        async def get() -> tuple[bytes, dict[str, str]]:
            client = await nats.connect(self.nats_url)
            try:
                msg = await client.jetstream().get_msg(REJECTED_STREAM, seq)
                return msg.data or b"", dict(msg.headers or {})
            finally:
                await client.close()

        return asyncio.run(get())

    def problem_of(self, tracking: str, timeout: float = 30.0) -> UUID:
        """The problem a tracking number names, as casework finds it once it has filed the
        report (a moment after the gateway gave the number)."""
        async def find() -> UUID:
            async with connected(self.nats_url) as client:
                found: dict[str, Any] = {}

                async def filed() -> bool:
                    found.update(await request(client, TRACKING_QUERY, {"tracking": tracking}))
                    return bool(found.get("ok"))

                await wait_until(filed, timeout, what=f"{tracking} found by casework")
                return UUID(found["problem_id"])

        return asyncio.run(find())

    def history(self, problem_id: UUID | str, timeout: float = 30.0) -> list[dict[str, Any]]:
        """The problem's events, once it is recorded."""
        async def ask() -> list[dict[str, Any]]:
            async with connected(self.nats_url) as client:
                found = await wait_for_problem(client, UUID(str(problem_id)), timeout)
                assert found.get("ok"), f"problem {problem_id} was not recorded: {found}"
                answer = await request(client, HISTORY_QUERY, {"problem_id": str(problem_id)})
                events: list[dict[str, Any]] = answer["events"]
                return events

        return asyncio.run(ask())


def start_rectify(tmp: Path, relay_port: int | None = None) -> RectifyProcess:
    process = RectifyProcess(tmp / "data")
    process.env.update({
        "RECTIFY_WECHAT_TOKEN": WECHAT_TOKEN, "RECTIFY_MAILBOX": MAILBOX,
        "RECTIFY_ACTOR": "测试员", "RECTIFY_MAIL_AUTHSERV_ID": MX,
        "RECTIFY_WECHAT_MODE": "compatible", "RECTIFY_WECHAT_AES_KEY": WECHAT_AES_KEY,
        "RECTIFY_WECHAT_APPID": WECHAT_APPID,
        "RECTIFY_OPEN311_KEYS": ",".join(f"{name}={key}" for key, name in OPEN311_KEYS.items()),
        "RECTIFY_LOOKUP_RATE": f"{LOOKUPS_PER_MINUTE}/minute",
        "RECTIFY_FILING_RATE": f"{FILINGS_PER_MINUTE}/minute",
        "RECTIFY_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT),
        # Tests play many clients from one address: X-Forwarded-For names each, as a proxy would.
        "RECTIFY_TRUSTED_PROXY": "127.0.0.1"})
    if relay_port is not None:
        process.env["RECTIFY_SMTP_RELAY"] = f"127.0.0.1:{relay_port}"
    process.start()
    return process


@pytest.fixture(scope="module")
def rectify(tmp_path_factory: pytest.TempPathFactory,
            sink: tuple[Sink, int]) -> Iterator[Rectify]:
    process = start_rectify(tmp_path_factory.mktemp("rectify"), sink[1])
    runtime = json.loads((process.data_dir / "runtime.json").read_text("utf-8"))
    yield Rectify(process, user_url(process.data_dir, runtime["nats_url"], "admin"),
                  runtime["endpoints"])
    process.stop()


def a_client_address() -> str:
    """An address of its own for one simulated client (the rate limits count per address)."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@pytest.fixture
def web(rectify: Rectify) -> Iterator[httpx.Client]:
    """A browser or API client of its own (its own address, its own cookies)."""
    with httpx.Client(base_url=rectify.endpoints["http"], timeout=30,
                      headers={"x-forwarded-for": a_client_address()}) as client:
        yield client
