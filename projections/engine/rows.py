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


class KeyedRows:
    """The rows of one table that a batch reads or changes, by the table's unique ``key``."""

    def __init__(self, tx: Tx, table: str, key: str, columns: Sequence[str]) -> None:
        self.tx, self.table, self.key, self.columns = tx, table, key, tuple(columns)
        self._values = itemgetter(*self.columns)
        self._rows: dict[SqlValue, Row] = {}
        self._changed: dict[SqlValue, None] = {}  # insertion-ordered set
        names = ", ".join(self.columns)
        self._select = f"SELECT {key}, {names} FROM {table} WHERE {key} IN "
        updates = ", ".join(f"{column} = excluded.{column}" for column in self.columns)
        self._upsert = (f"INSERT INTO {table} ({key}, {names})"
                        f" VALUES ({', '.join('?' * (len(self.columns) + 1))})"
                        f" ON CONFLICT ({key}) DO UPDATE SET {updates}")

    def load(self, keys: Iterable[SqlValue]) -> None:
        """Read the stored rows of ``keys`` (those not read yet); keys without a row are absent."""
        wanted = [key for key in dict.fromkeys(keys) if key not in self._rows]
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start:start + IN_CHUNK]
            sql = f"{self._select}({', '.join('?' * len(chunk))})"
            for key, *values in self.tx.query(sql, chunk):
                self._rows[key] = dict(zip(self.columns, values, strict=True))

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
        if self._changed:
            values, rows = self._values, self._rows
            self.tx.executemany(self._upsert, [(key, *values(rows[key])) for key in self._changed])
            self._changed.clear()
