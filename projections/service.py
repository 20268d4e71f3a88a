"""The projections as a long-running service: inside ``rectify up`` or ``rectify project``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from nats.js import JetStreamContext

from projections.catalog import projectors
from projections.runner import OnProgress, run
from projections.store import ReadStore, SqliteStore


def open_read_store(location: str) -> ReadStore:
    """The read-model store at ``location``: a ``postgresql://`` DSN or a SQLite file path."""
    if location.startswith(("postgresql://", "postgres://")):
        from projections.postgres import PostgresStore  # psycopg is an optional dependency

        return PostgresStore(location)
    return SqliteStore(location)


async def run_projections(js: JetStreamContext, store: ReadStore,
                          names: Sequence[str] | None = None,
                          on_progress: OnProgress | None = None) -> NoReturn:
    """Keep the named read models (all by default) in ``store`` up to date until cancelled."""
    await run(js, store, projectors(names), on_progress=on_progress)
