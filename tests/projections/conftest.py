"""Read-model stores to test against: a SQLite file, and PostgreSQL where one answers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from projections.engine.store import ReadStore, SqliteStore
from tests.postgres import POSTGRES_DSN, connect_or_skip

StoreFactory = Callable[[], ReadStore]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens the same read models again on each call (as a second process would)."""
    opened: list[ReadStore] = []
    if request.param == "sqlite":
        def sqlite() -> ReadStore:
            opened.append(SqliteStore(tmp_path / "read-models.sqlite3"))
            return opened[-1]

        yield sqlite
    else:
        from projections.engine.postgres import PostgresStore

        schema = f"rectify_read_{uuid.uuid4().hex[:8]}"
        admin = connect_or_skip("the PostgreSQL read store test")

        def postgres() -> ReadStore:
            opened.append(PostgresStore(POSTGRES_DSN, schema))
            return opened[-1]

        yield postgres
        for store in opened:
            store.close()
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()
        return
    for store in opened:
        store.close()
