"""Running rectify for real in tests: as a subprocess (`rectify up`) or in-process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nats.js import JetStreamContext

from events.identity import intake_key
from events.subjects import HEADER_MSG_ID, intake_subject
from events.submission import IntakeSubmission
from services.runtime.bus import user_url
from services.runtime.config import read_runtime

RECTIFY = [sys.executable, "-m", "services.cli"]


async def publish(js: JetStreamContext, submission: IntakeSubmission,
                  msg_id: str | None = None) -> int:
    """Publish to INTAKE; returns the stream sequence JetStream acknowledged."""
    key = msg_id or intake_key(submission.channel, submission.intake_id)
    ack = await js.publish(intake_subject(submission.channel),
                           submission.model_dump_json().encode(), headers={HEADER_MSG_ID: key})
    return int(ack.seq)


async def wait_until(condition: Callable[[], Awaitable[bool]], timeout: float = 60.0,
                     what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


def wait_for_fact(up: RectifyProcess, problem: str, event_type: str,
                  timeout: float = 30.0) -> None:
    """Wait until a part of ``rectify up`` (the answers part, say) recorded ``event_type``."""
    async def recorded() -> bool:
        return event_type in [e["type"] for e in up.cli_json("history", problem)]

    asyncio.run(wait_until(recorded, timeout, f"{event_type} on {problem}"))


@dataclass
class RectifyProcess:
    """``rectify up`` in its own process, on its own embedded nats-server."""

    data_dir: Path
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    def start(self, *args: str, command: str = "up", timeout: float = 30.0) -> str:
        self.process = subprocess.Popen(
            [*RECTIFY, command, "--data-dir", str(self.data_dir), *args], env=self.env,
            stdout=subprocess.DEVNULL, stderr=(self.data_dir.parent / "up.log").open("ab"),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = read_runtime(self.data_dir)
            if info is not None and info.get("pid") == self.process.pid:
                # Tests reach in as the administrator; each part's own limits: tests/identity.
                return user_url(self.data_dir, str(info["nats_url"]), "admin")
            if self.process.poll() is not None:
                log = (self.data_dir.parent / "up.log").read_text(errors="replace")
                raise AssertionError(f"rectify up exited early:\n{log[-3000:]}")
            time.sleep(0.05)
        raise AssertionError("rectify up did not start in time")

    def bus_violations(self) -> list[str]:
        """What the embedded nats-server refused so far (its log's permission violations)."""
        log = self.data_dir / "nats" / "nats-server.log"
        lines = log.read_text("utf-8", errors="replace").splitlines() if log.exists() else []
        return [line for line in lines if "Violation" in line]

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(30)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*RECTIFY, *args, "--data-dir", str(self.data_dir)],
                              capture_output=True, text=True, env=self.env, timeout=60,
                              check=False)

    def cli_json(self, *args: str) -> Any:
        done = self.cli(*args, "--format", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def view(self, *args: str) -> Any:
        """A reading command's JSON without ``freshness`` (which moves with every new event):
        what two reads of the same view must agree on."""
        document = self.cli_json(*args)
        if isinstance(document, dict):
            document.pop("freshness", None)
        return document
