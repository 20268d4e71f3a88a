"""One real ``rectify up`` per test module, with every gateway on, and an SMTP sink for acks."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from uuid import UUID

import nats
import pytest
from aiosmtpd import smtp
from aiosmtpd.controller import Controller

from events.subjects import HISTORY_QUERY, INTAKE_STREAM, REJECTED_STREAM
from services.cli.client import connected, request, wait_for_problem
from tests.integration.harness import RectifyProcess

WECHAT_TOKEN = "rectify-test-token"
MAILBOX = "jubao@hb.example.gov.cn"


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
    process.env.update({"RECTIFY_WECHAT_TOKEN": WECHAT_TOKEN, "RECTIFY_MAILBOX": MAILBOX,
                        "RECTIFY_ACTOR": "测试员"})
    if relay_port is not None:
        process.env["RECTIFY_SMTP_RELAY"] = f"127.0.0.1:{relay_port}"
    process.start()
    return process


@pytest.fixture(scope="module")
def rectify(tmp_path_factory: pytest.TempPathFactory,
            sink: tuple[Sink, int]) -> Iterator[Rectify]:
    process = start_rectify(tmp_path_factory.mktemp("rectify"), sink[1])
    runtime = json.loads((process.data_dir / "runtime.json").read_text("utf-8"))
    yield Rectify(process, runtime["nats_url"], runtime["endpoints"])
    process.stop()
