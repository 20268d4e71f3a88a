"""Time is an input: deadlines and records read this clock, which tests and demos can set."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, or the moment in ``RECTIFY_NOW`` (ISO 8601) when that is set."""
    fixed = os.environ.get("RECTIFY_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)
