"""Read models in PostgreSQL: the same generations and tracking table as ``SqliteStore``.

The projectors' SQL is written with ``?`` placeholders and portable types; this store rewrites
the placeholders for psycopg and otherwise runs it as it is. Tables live in their own schema
(``rectify_read`` by default) so that they never mix with the event store's tables.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, LiteralString

import psycopg
from psycopg import sql

from projections.engine.rows import KeptRows
from projections.engine.store import META_STATEMENTS, Row, SqlValue, StoreOpener, table_name

DEFAULT_SCHEMA = "rectify_read"


def _native(statement: str) -> LiteralString:
    """``?`` placeholders as psycopg's ``%s`` (the projectors never put ``?`` in literals)."""
    return statement.replace("%", "%%").replace("?", "%s")


class PostgresTx:
    """A transaction on one PostgreSQL connection, bound to one generation."""

    def __init__(self, connection: psycopg.Connection[Any], schema: str,
                 generation: int) -> None:
        self.connection, self.schema, self.generation = connection, schema, generation
        self.kept: KeptRows | None = None

    def table(self, name: str) -> str:
        return table_name(self.generation, name)

    def exists(self, name: str) -> bool:
        return bool(self.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            (self.schema, self.table(name))))

    def execute(self, statement: str, params: Sequence[SqlValue] = ()) -> int:
        return self.connection.execute(_native(statement), params).rowcount

    def executemany(self, statement: str, rows: Iterable[Sequence[SqlValue]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(_native(statement), rows)

    def query(self, statement: str, params: Sequence[SqlValue] = ()) -> list[Row]:
        return self.connection.execute(_native(statement), params).fetchall()


class PostgresStore:
    """Read models in one PostgreSQL schema, safe to share between threads."""

    def __init__(self, dsn: str, schema: str = DEFAULT_SCHEMA) -> None:
        self.dsn, self.schema = dsn, schema
        self._lock = threading.RLock()
        self._db = psycopg.connect(dsn, autocommit=True)
        self._db.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        self._db.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        with self._transaction():
            # Two processes starting at once must not both create the metadata tables.
            self._db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (schema,))
            for statement in META_STATEMENTS:
                self._db.execute(_native(statement))

    @contextmanager
    def _transaction(self, isolation: str = "READ COMMITTED") -> Iterator[None]:
        with self._lock, self._db.transaction():
            self._db.execute(_native(f"SET TRANSACTION ISOLATION LEVEL {isolation}"))
            yield

    def _live(self) -> int:
        row = self._db.execute("SELECT generation FROM rectify_live").fetchone()
        assert row is not None
        return int(row[0])

    @contextmanager
    def read(self) -> Iterator[PostgresTx]:
        """A consistent snapshot of the live generation."""
        with self._transaction("REPEATABLE READ"):
            yield PostgresTx(self._db, self.schema, self._live())

    @contextmanager
    def write(self, generation: int | None = None) -> Iterator[PostgresTx]:
        with self._transaction():
            self._db.execute("LOCK TABLE rectify_live IN SHARE MODE")
            yield PostgresTx(self._db, self.schema,
                             self._live() if generation is None else generation)

    def live_generation(self) -> int:
        with self.read() as tx:
            return tx.generation

    def new_generation(self) -> int:
        with self._transaction():
            self._db.execute("LOCK TABLE rectify_generations IN EXCLUSIVE MODE")
            row = self._db.execute("SELECT MAX(generation) FROM rectify_generations").fetchone()
            assert row is not None
            generation = int(row[0]) + 1
            self._db.execute("INSERT INTO rectify_generations VALUES (%s)", (generation,))
            return generation

    def make_live(self, generation: int) -> None:
        with self._transaction():
            self._db.execute("LOCK TABLE rectify_live IN EXCLUSIVE MODE")
            self._db.execute("UPDATE rectify_live SET generation = %s", (generation,))
            others = self._db.execute(
                "SELECT generation FROM rectify_generations WHERE generation <> %s",
                (generation,)).fetchall()
            for (other,) in others:
                self._drop(int(other))

    def discard(self, generation: int) -> None:
        with self._transaction():
            if generation == self._live():
                raise ValueError(f"generation {generation} is live and cannot be discarded")
            self._drop(generation)

    def _drop(self, generation: int) -> None:
        prefix = table_name(generation, "")
        tables = self._db.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = %s AND left(table_name, %s) = %s",
            (self.schema, len(prefix), prefix)).fetchall()
        for (name,) in tables:
            self._db.execute(sql.SQL("DROP TABLE {} CASCADE").format(sql.Identifier(name)))
        self._db.execute("DELETE FROM rectify_tracking WHERE generation = %s", (generation,))
        self._db.execute("DELETE FROM rectify_versions WHERE generation = %s", (generation,))
        self._db.execute("DELETE FROM rectify_generations WHERE generation = %s", (generation,))

    def opener(self, *, checkpoints: bool = True) -> StoreOpener:
        return functools.partial(PostgresStore, self.dsn, self.schema)

    def checkpoint(self) -> None:
        """PostgreSQL checkpoints on its own."""

    def close(self) -> None:
        with self._lock:
            self._db.close()
