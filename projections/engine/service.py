"""The projections as a long-running service: inside ``rectify up`` or ``rectify project``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import NoReturn

from nats.js import JetStreamContext

from events.seal import SealKey
from projections.engine.catalog import projectors
from projections.engine.projector import stale_models
from projections.engine.rebuild import rebuild
from projections.engine.runner import OnProgress, Passing, run
from projections.engine.store import ReadStore, SqliteStore

log = logging.getLogger(__name__)


def open_read_store(location: str) -> ReadStore:
    """The read-model store at ``location``: a ``postgresql://`` DSN or a SQLite file path."""
    if location.startswith(("postgresql://", "postgres://")):
        from projections.engine.postgres import PostgresStore  # psycopg is an optional dependency

        return PostgresStore(location)
    return SqliteStore(location)


async def run_projections(js: JetStreamContext, store: ReadStore, key: SealKey, *,
                          passing: Passing, names: Sequence[str] | None = None,
                          on_progress: OnProgress | None = None) -> NoReturn:
    """Keep the named read models (all by default) in ``store`` up to date until cancelled,
    taking only events sealed with the relay's ``key``; ``passing`` failures are waited out.

    Read models built by an older projector are rebuilt first (the old ones stay readable until
    the new generation is swapped in).
    """
    stale = await asyncio.to_thread(stale_models, store, projectors())
    if stale:
        log.warning("rebuilding read models built by another version: %s", ", ".join(
            f"{m.name} v{m.built_by} → v{m.current}" for m in stale))
        await rebuild(js, store, on_progress=on_progress, key=key)
    await run(js, store, projectors(names), on_progress=on_progress, key=key, passing=passing)
