"""A part's background task that stops by itself is an alarm ``rectify status`` shows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def alarm_when_stopped(alarms: dict[str, str],
                       part: str) -> Callable[[asyncio.Task[None]], None]:
    """A done-callback for ``part``'s task: an exception becomes ``alarms[part]``."""
    def on_done(task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        log.error("%s stopped: %s", part, task.exception())
        alarms[part] = str(task.exception())

    return on_done
