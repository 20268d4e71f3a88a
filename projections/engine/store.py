"""The read-model store (读模型存储): every projection's tables and each projector's position.

Tables live in *generations*. Generation ``g`` of the ledger's rows is the table ``g3_ledger_rows``
(say); ``rectify_tracking`` holds, per generation and projector, the stream position applied; and
``rectify_live`` names the one generation that readers see. A projector writes its rows and its
position in the same transaction (exactly-once effect). A rebuild fills generation ``g + 1``
while ``g`` stays live and then flips ``rectify_live`` in one transaction: readers see the old
view or the new one, never half of either.

The SQL is portable to PostgreSQL on purpose (``?`` placeholders, which a PostgreSQL ``Tx``
translates to ``%s``; ``ON CONFLICT`` upserts; INTEGER and TEXT columns only), so a
``PostgresStore`` needs only to implement ``ReadStore`` over psycopg.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from projections.engine.rows import KeptRows

SqlValue = str | int | float | None
Row = tuple[Any, ...]

META_STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS rectify_generations (generation INTEGER PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS rectify_live"
    " (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rectify_tracking (generation INTEGER NOT NULL,"
    " projector TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (generation, projector))",
    "CREATE TABLE IF NOT EXISTS rectify_versions (generation INTEGER NOT NULL,"
    " projector TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (generation, projector))",
    "INSERT INTO rectify_generations (generation) VALUES (1) ON CONFLICT DO NOTHING",
    "INSERT INTO rectify_live (id, generation) VALUES (1, 1) ON CONFLICT DO NOTHING",
)


class Tx(Protocol):
    """One open transaction on one generation of the read models."""

    generation: int
    kept: KeptRows | None
    """Rows kept from the writer's last batch (``projections.engine.rows``); None: none."""

    def table(self, name: str) -> str: ...
    def exists(self, name: str) -> bool: ...
    def execute(self, sql: str, params: Sequence[SqlValue] = ()) -> int: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[SqlValue]]) -> None: ...
    def query(self, sql: str, params: Sequence[SqlValue] = ()) -> list[Row]: ...


StoreOpener = Callable[[], "ReadStore"]
"""Opens a store; picklable, so that another process can call it."""


class ReadStore(Protocol):
    """Where read models are kept: SQLite here, PostgreSQL by the same contract later."""

    def read(self) -> AbstractContextManager[Tx]: ...
    def write(self, generation: int | None = None) -> AbstractContextManager[Tx]: ...
    def live_generation(self) -> int: ...
    def new_generation(self) -> int: ...
    def make_live(self, generation: int) -> None: ...
    def discard(self, generation: int) -> None: ...
    def close(self) -> None: ...

    def opener(self, *, checkpoints: bool = True) -> StoreOpener | None:
        """How another process opens this same store (None: it cannot, as in memory).
        ``checkpoints=False``: its commits leave the write-ahead log's checkpoints to this
        store's ``checkpoint`` (a rebuild's writer process)."""

    def checkpoint(self) -> None:
        """Copy what is committed in the write-ahead log into the database (nothing to do for
        a store without such a log)."""


def table_name(generation: int, name: str) -> str:
    return f"g{generation}_{name}"


def position(tx: Tx, projector: str) -> int | None:
    """The last stream position ``projector`` applied in ``tx``'s generation (None: never ran)."""
    rows = tx.query(
        "SELECT position FROM rectify_tracking WHERE generation = ? AND projector = ?",
        (tx.generation, projector),
    )
    return int(rows[0][0]) if rows else None


def live_positions(store: ReadStore) -> dict[str, int]:
    """Each projector's position in the live generation (none before the first run)."""
    with store.read() as tx:
        rows = tx.query("SELECT projector, position FROM rectify_tracking WHERE generation = ?"
                        " ORDER BY projector", (tx.generation,))
    return {str(name): int(at) for name, at in rows}


def versions(tx: Tx) -> dict[str, int]:
    """The version of each projector whose tables ``tx``'s generation holds.

    A projector that ran before versions were recorded has none here and counts as version 1.
    """
    rows = tx.query("SELECT t.projector, v.version FROM rectify_tracking t LEFT JOIN"
                    " rectify_versions v ON v.generation = t.generation"
                    " AND v.projector = t.projector WHERE t.generation = ?", (tx.generation,))
    return {str(name): int(version or 1) for name, version in rows}


def set_version(tx: Tx, projector: str, version: int) -> None:
    tx.execute(
        "INSERT INTO rectify_versions (generation, projector, version) VALUES (?, ?, ?)"
        " ON CONFLICT (generation, projector) DO UPDATE SET version = excluded.version",
        (tx.generation, projector, version),
    )


def set_position(tx: Tx, projector: str, new_position: int) -> None:
    tx.execute(
        "INSERT INTO rectify_tracking (generation, projector, position) VALUES (?, ?, ?)"
        " ON CONFLICT (generation, projector) DO UPDATE SET position = excluded.position",
        (tx.generation, projector, new_position),
    )


CACHE_KIB = 64 * 1024
WAL_LIMIT_BYTES = 64 * 2**20
"""What the write-ahead log is cut back to when it starts over: a rebuild's writer, which
leaves checkpoints to the rebuilding process, grows it by a whole batch between two of them
(about 100 MB at 1,000,000 events)."""


class SqliteTx:
    """A transaction on one SQLite connection, bound to one generation."""

    def __init__(self, connection: sqlite3.Connection, generation: int) -> None:
        self.connection, self.generation = connection, generation
        self.kept: KeptRows | None = None

    def table(self, name: str) -> str:
        return table_name(self.generation, name)

    def exists(self, name: str) -> bool:
        """Whether this generation has table ``name`` (a reader may come before any projector)."""
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (self.table(name),)))

    def execute(self, sql: str, params: Sequence[SqlValue] = ()) -> int:
        return self.connection.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Iterable[Sequence[SqlValue]]) -> None:
        self.connection.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[SqlValue] = ()) -> list[Row]:
        return self.connection.execute(sql, params).fetchall()


class SqliteStore:
    """Read models in one SQLite file (or ``:memory:``), safe to share between threads."""

    def __init__(self, path: Path | str, *, checkpoints: bool = True) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
        if not checkpoints:
            # A commit that leaves more than 1,000 pages in the log copies them into the
            # database file and syncs both: for a rebuild's writer, whose every batch dirties
            # most pages of the indexes keyed by problem id, a third of its commit time at
            # 1,000,000 events. The rebuilding process, which has time to spare, does it.
            self._db.execute("PRAGMA wal_autocheckpoint=0")
        # Replaying a campaign touches every problem's rows in several indexes keyed by
        # problem id; a cache larger than SQLite's 2 MB default keeps them (measured: about a
        # tenth faster from 100,000 events on). It is an upper bound, filled only when used.
        self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        with self._transaction("BEGIN IMMEDIATE"):
            for statement in META_STATEMENTS:
                self._db.execute(statement)

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[None]:
        with self._lock:
            self._db.execute(begin)
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _live(self) -> int:
        return int(self._db.execute("SELECT generation FROM rectify_live").fetchone()[0])

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A consistent snapshot of the live generation."""
        with self._transaction("BEGIN"):
            yield SqliteTx(self._db, self._live())

    @contextmanager
    def write(self, generation: int | None = None) -> Iterator[Tx]:
        """A write transaction on ``generation``, the live one unless told otherwise."""
        with self._transaction("BEGIN IMMEDIATE"):
            yield SqliteTx(self._db, self._live() if generation is None else generation)

    def live_generation(self) -> int:
        with self.read() as tx:
            return tx.generation

    def new_generation(self) -> int:
        """An empty generation, not live, for a rebuild to fill."""
        with self._transaction("BEGIN IMMEDIATE"):
            row = self._db.execute("SELECT MAX(generation) FROM rectify_generations").fetchone()
            generation = int(row[0]) + 1
            self._db.execute("INSERT INTO rectify_generations VALUES (?)", (generation,))
            return generation

    def make_live(self, generation: int) -> None:
        """Readers see ``generation`` from now on; every other generation is dropped."""
        with self._transaction("BEGIN IMMEDIATE"):
            self._db.execute("UPDATE rectify_live SET generation = ?", (generation,))
            self._drop_all_but(generation)

    def discard(self, generation: int) -> None:
        """Drop a generation that will never be live (an abandoned rebuild)."""
        with self._transaction("BEGIN IMMEDIATE"):
            if generation == self._live():
                raise ValueError(f"generation {generation} is live and cannot be discarded")
            self._drop(generation)

    def _drop_all_but(self, keep: int) -> None:
        others = self._db.execute(
            "SELECT generation FROM rectify_generations WHERE generation <> ?", (keep,)
        ).fetchall()
        for (generation,) in others:
            self._drop(int(generation))

    def _drop(self, generation: int) -> None:
        prefix = table_name(generation, "")
        tables = self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?",
            (len(prefix), prefix),
        ).fetchall()
        for (name,) in tables:
            self._db.execute(f'DROP TABLE "{name}"')
        self._db.execute("DELETE FROM rectify_tracking WHERE generation = ?", (generation,))
        self._db.execute("DELETE FROM rectify_versions WHERE generation = ?", (generation,))
        self._db.execute("DELETE FROM rectify_generations WHERE generation = ?", (generation,))

    def opener(self, *, checkpoints: bool = True) -> StoreOpener | None:
        if self.path == ":memory:":
            return None
        return functools.partial(SqliteStore, self.path, checkpoints=checkpoints)

    def checkpoint(self) -> None:
        """Every committed page copied into the database file, and the log started over by the
        next writer. A writer waits meanwhile: a passive checkpoint, which makes nobody wait,
        let a rebuild's writer start its next batch before the copy was done, every time, and
        the log grew to 1.7 GB over 1,000,000 events."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()
