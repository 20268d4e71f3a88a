"""Rows a batch changes, read with one query and written back with one ``executemany``.

A projector applies a batch of events in Python against the rows they touch, instead of one
SQL statement per event: ``KeyedRows.load`` reads the rows for every key the batch names (a
few ``IN`` queries), the events change them in memory, and ``flush`` writes the changed ones
back as one upsert per table. What an event does to a row is plain Python, and the SQL stays
portable (``ON CONFLICT … DO UPDATE`` runs on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter

from projections.engine.store import SqlValue, Tx

Row = dict[str, SqlValue]
IN_CHUNK = 500
"""Keys per ``IN (…)`` query: far below SQLite's and PostgreSQL's limits on parameters."""


class KeptRows:
    """The rows that each table's last batch read or wrote, kept for the next batch of the
    same writer, which then need not read them again: a problem's events come close together,
    so most rows a batch needs, the batch before had (in the rebuild benchmark, every one; the
    ``IN`` loads had been an eighth of the writer's SQLite time). At most one batch's rows per
    table are kept.

    Only for a generation that nobody else writes (a rebuild's, by its writer process): the
    rows kept must be those stored. ``apply_batch`` forgets them when a transaction fails.
    """

    def __init__(self) -> None:
        self._tables: dict[str, dict[SqlValue, Row]] = {}

    def of(self, table: str) -> dict[SqlValue, Row]:
        return self._tables.get(table, {})

    def keep(self, table: str, rows: dict[SqlValue, Row]) -> None:
        self._tables[table] = rows

    def forget(self) -> None:
        self._tables.clear()


class KeyedRows:
    """The rows of one table that a batch reads or changes, by the table's unique ``key``."""

    def __init__(self, tx: Tx, table: str, key: str, columns: Sequence[str],
                 fixed: Sequence[str] = ()) -> None:
        """``fixed``: columns a row gets when added and never changes (a problem's position,
        its unit), left out of the upsert's ``SET``: setting a table's ``INTEGER PRIMARY
        KEY`` to its own value cost SQLite a few per cent of a rebuild's apply."""
        self.tx, self.table, self.key, self.columns = tx, table, key, tuple(columns)
        self._values = itemgetter(*self.columns)
        self._rows: dict[SqlValue, Row] = {}
        self._kept = tx.kept.of(table) if tx.kept is not None else {}
        self._changed: dict[SqlValue, None] = {}  # insertion-ordered set
        names = ", ".join(self.columns)
        self._select = f"SELECT {key}, {names} FROM {table} WHERE {key} IN "
        updates = ", ".join(f"{column} = excluded.{column}" for column in self.columns
                            if column not in fixed)
        self._upsert = (f"INSERT INTO {table} ({key}, {names})"
                        f" VALUES ({', '.join('?' * (len(self.columns) + 1))})"
                        f" ON CONFLICT ({key}) DO UPDATE SET {updates}")

    def load(self, keys: Iterable[SqlValue]) -> None:
        """Read the stored rows of ``keys`` (those not read yet); keys without a row are absent."""
        rows, kept, wanted = self._rows, self._kept, []
        for key in dict.fromkeys(keys):
            if key not in rows:
                if (row := kept.get(key)) is not None:
                    rows[key] = row
                else:
                    wanted.append(key)
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start:start + IN_CHUNK]
            sql = f"{self._select}({', '.join('?' * len(chunk))})"
            for key, *values in self.tx.query(sql, chunk):
                rows[key] = dict(zip(self.columns, values, strict=True))

    def get(self, key: SqlValue) -> Row | None:
        """The row of ``key`` as changed so far (None: no such row). Call ``changed`` after
        changing it."""
        return self._rows.get(key)

    def add(self, key: SqlValue, row: Row) -> None:
        """A new row (every column given)."""
        self._rows[key] = row
        self._changed[key] = None

    def changed(self, key: SqlValue) -> None:
        self._changed[key] = None

    def flush(self) -> None:
        """Write every new or changed row, in the order first changed."""
        if self.tx.kept is not None:
            self.tx.kept.keep(self.table, self._rows)
        if self._changed:
            values, rows = self._values, self._rows
            self.tx.executemany(self._upsert, [(key, *values(rows[key])) for key in self._changed])
            self._changed.clear()
