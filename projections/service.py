"""The projections inside a running process: the task ``rectify up`` starts beside the relay."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from nats.js import JetStreamContext

from projections.catalog import projectors
from projections.runner import OnProgress, run
from projections.store import SqliteStore

READ_MODELS_FILE = "read-models.sqlite3"
"""The read-model store's file name inside the data directory."""


async def run_projections(js: JetStreamContext, path: Path,
                          names: Sequence[str] | None = None,
                          on_progress: OnProgress | None = None) -> NoReturn:
    """Keep the named read models (all by default) in ``path`` up to date until cancelled."""
    store = SqliteStore(path)
    try:
        await run(js, store, projectors(names), on_progress=on_progress)
    finally:
        store.close()
