"""The HTTP gateway of ``rectify up`` in a process of its own.

Parsing, validating and sealing a report, and answering it, took about 60 % of ``rectify up``'s
CPU per report; in the same process they competed for one interpreter lock with filing,
relaying and projecting, so the API took about 110 reports/s on this loaded 2-core machine and
every report waited behind the others' requests on its way to the ledger. In its own process
the gateway has a core (or a scheduler share) of its own: nothing about what it promises
changes (202 once the report is in INTAKE, the same ``Nats-Msg-Id``, the per-address limits of
one process, as before).

The parent sends the settings and the bus URL (with its credentials) down the child's stdin,
never on the command line or in the environment, and keeps stdin open: the child stops when it
closes (the parent stopped or died) or on SIGTERM. The child answers one line on stdout, its
endpoints as JSON. Restarted by the supervisor, the child binds the port it had before.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.runtime.config import IntakeSettings, Settings

START_TIMEOUT_SECONDS = 60.0
"""How long the child may take to import and bind (a loaded machine takes seconds)."""
STOP_TIMEOUT_SECONDS = 10.0


class HttpProcessError(RuntimeError):
    """The gateway process did not start, or exited while ``rectify up`` runs."""


@dataclass(frozen=True)
class Order:
    """What the child needs to serve: where the data and the bus are, and the settings."""

    data_dir: Path
    nats_url: str
    intake: IntakeSettings

    def encoded(self) -> bytes:
        return json.dumps({"data_dir": str(self.data_dir), "nats_url": self.nats_url,
                           "intake": dataclasses.asdict(self.intake)}, default=str).encode() + b"\n"

    @staticmethod
    def decoded(line: bytes) -> Order:
        order = json.loads(line)
        intake: dict[str, Any] = {
            name: Path(value) if name in _PATHS and value is not None else value
            for name, value in order["intake"].items()}
        return Order(Path(order["data_dir"]), order["nats_url"], IntakeSettings(**intake))


_PATHS = frozenset(f.name for f in dataclasses.fields(IntakeSettings) if "Path" in str(f.type))
"""The settings that are paths: JSON carries them as text."""


class HttpProcess:
    """The child serving the website, JSON API, Open311 and WeChat callback."""

    def __init__(self, settings: Settings, nats_url: str) -> None:
        self.order = Order(settings.data_dir, nats_url, settings.intake)
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> dict[str, str]:
        """Start the child and wait until it serves; its endpoints."""
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            start_new_session=True)  # a terminal's Ctrl-C is the parent's to pass on
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(self.order.encoded())
        await self.process.stdin.drain()
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), START_TIMEOUT_SECONDS)
        except TimeoutError:
            await self.stop()
            raise HttpProcessError("the HTTP gateway did not start in time") from None
        if not line:
            code = await self.process.wait()
            raise HttpProcessError(f"the HTTP gateway exited at start (exit code {code})")
        endpoints: dict[str, str] = json.loads(line)["endpoints"]
        port = int(endpoints["http"].rsplit(":", 1)[1])
        # Started again after a crash, it takes the same port: the addresses given out hold.
        intake = dataclasses.replace(self.order.intake, http_port=port)
        self.order = dataclasses.replace(self.order, intake=intake)
        return endpoints

    async def run(self) -> None:
        """For the supervisor: wait while the child serves (starting it again if it is not),
        and fail when it exits, so that it is started again."""
        if self.process is None or self.process.returncode is not None:
            await self.start()
        assert self.process is not None
        code = await self.process.wait()
        raise HttpProcessError(f"the HTTP gateway exited (exit code {code})")

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the child stops at the end of its input
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def _serve(order: Order) -> None:
    # Here, not at the top: parts.py imports this module for the parent's side.
    from services.intake.parts import http_service
    from services.reporters.keys import IntakeKeys

    settings = Settings(data_dir=order.data_dir, nats_url=order.nats_url, intake=order.intake)
    keys = IntakeKeys.for_settings(settings)  # the parent made it on its first start
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    endpoints: dict[str, str] = {}
    async with http_service(settings, order.nats_url, keys, endpoints):
        sys.stdout.write(json.dumps({"endpoints": endpoints}) + "\n")
        sys.stdout.flush()
        stdin = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
        parent_gone = asyncio.create_task(stdin.read())
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({parent_gone, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for waiting in (parent_gone, stopped):
            waiting.cancel()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    os.umask(0o077)
    # Read unbuffered: what follows the order on stdin is only its end.
    order = Order.decoded(os.fdopen(sys.stdin.fileno(), "rb", buffering=0, closefd=False)
                          .readline())
    asyncio.run(_serve(order))


if __name__ == "__main__":
    main()
