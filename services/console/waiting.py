"""Read your own write: after a command, wait (bounded) until the read models show it, so the
page the person lands on includes what they just did."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from services.console import views
from services.console.context import Console

READ_YOUR_WRITE_SECONDS = 15.0


async def until(shown: Callable[[], Awaitable[bool]]) -> None:
    """Wait, at most ``READ_YOUR_WRITE_SECONDS``, until the read models show a change."""
    deadline = time.monotonic() + READ_YOUR_WRITE_SECONDS
    while time.monotonic() < deadline:
        if await shown():
            return
        await asyncio.sleep(0.05)


async def version_shown(console: Console, problem_id: str, version: int) -> None:
    """Wait (bounded) until the read models show the problem at ``version``."""
    async def shown() -> bool:
        return bool(await console.read(views.latest_version, problem_id) >= version)

    await until(shown)
