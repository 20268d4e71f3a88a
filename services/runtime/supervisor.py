"""Every long-running task of ``rectify up`` runs under one supervisor.

A task that ends by a real stop (``faults.halt_text``) raises an alarm that says what happened
and what to do, and stays down until ``resume`` (``rectify repair --apply`` resumes it). A task
that ends for any other reason is started again after a pause that doubles from 0.5 s to 30 s
(back to 0.5 s after a minute of good running), and the restart is counted; its last failure is
shown while it keeps failing. Nothing a part does can end it quietly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from services.runtime.faults import AlarmText, crash_text, halt_text, is_passing

log = logging.getLogger(__name__)

FIRST_PAUSE_SECONDS = 0.5
MAX_PAUSE_SECONDS = 30.0
GOOD_RUN_SECONDS = 60.0

Work = Callable[[], Coroutine[Any, Any, None]]


class Supervisor:
    """Runs named tasks; ``alarms`` and ``restarts`` are what ``rectify status`` shows."""

    def __init__(self) -> None:
        self.alarms: dict[str, AlarmText] = {}
        self.restarts: dict[str, int] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._work: dict[str, Work] = {}

    def start(self, name: str, work: Work) -> asyncio.Task[None]:
        """Run ``work()`` as ``name`` until it returns, halts, or the supervisor stops it."""
        self._work[name] = work
        self.restarts.setdefault(name, 0)
        task = self.tasks[name] = asyncio.create_task(self._keep(name, work), name=name)
        return task

    def halted(self, name: str) -> bool:
        task = self.tasks.get(name)
        return name in self.alarms and (task is None or task.done())

    async def resume(self, name: str) -> None:
        """Start a halted (or running) task afresh, its alarm cleared."""
        await self.stop(name)
        self.alarms.pop(name, None)
        self.start(name, self._work[name])

    async def stop(self, name: str) -> None:
        task = self.tasks.pop(name, None)
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def stop_all(self) -> None:
        for name in reversed(list(self.tasks)):
            await self.stop(name)

    async def _keep(self, name: str, work: Work) -> None:
        pause = FIRST_PAUSE_SECONDS
        while True:
            started = time.monotonic()
            try:
                await work()
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if (alarm := halt_text(error)) is not None:
                    log.error("%s halted: %s", name, alarm.en)
                    self.alarms[name] = alarm
                    return
                if time.monotonic() - started > GOOD_RUN_SECONDS:
                    pause = FIRST_PAUSE_SECONDS
                self.restarts[name] += 1
                if not is_passing(error):
                    self.alarms[name] = crash_text(error)
                log.warning("%s failed (%r); restart %d in %.1f s", name, error,
                            self.restarts[name], pause, exc_info=error)
            await asyncio.sleep(pause)
            self.alarms.pop(name, None)
            pause = min(pause * 2, MAX_PAUSE_SECONDS)
