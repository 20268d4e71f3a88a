"""Where rectify keeps its data and which NATS and event store it uses."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

DEFAULT_DATA_DIR = Path(".rectify")
RUNTIME_FILE = "runtime.json"
READ_MODELS_FILE = "read-models.sqlite3"


@dataclass(frozen=True)
class Settings:
    """What ``rectify up`` runs with: embedded defaults unless a URL or DSN says otherwise."""

    data_dir: Path = DEFAULT_DATA_DIR
    nats_url: str | None = None
    nats_port: int = 0
    store: str | None = None
    sync_always: bool = True
    read_store: str | None = None
    without: frozenset[str] = frozenset()
    """Parts of ``rectify up`` switched off by name (``--without``)."""

    def read_store_location(self) -> str:
        """Where the read models live: a PostgreSQL DSN, else a SQLite file path."""
        if self.read_store:
            return self.read_store
        if self.store and self.store.startswith(("postgresql://", "postgres://")):
            return self.store
        return str(self.data_dir / READ_MODELS_FILE)

    def store_env(self) -> dict[str, str]:
        """The eventsourcing library's environment for the configured event store."""
        if self.store and self.store.startswith(("postgresql://", "postgres://")):
            return postgres_env(self.store)
        path = Path(self.store) if self.store else self.data_dir / "events.sqlite"
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}

    def store_label(self) -> str:
        env = self.store_env()
        if env["PERSISTENCE_MODULE"].endswith("sqlite"):
            return f"sqlite:{env['SQLITE_DBNAME']}"
        return f"postgresql://{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}"


def postgres_env(dsn: str) -> dict[str, str]:
    url = urlparse(dsn)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
    }


def write_runtime(data_dir: Path, info: dict[str, object]) -> None:
    """Tell other ``rectify`` commands where this data directory's running process listens."""
    target = data_dir / RUNTIME_FILE
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(target)


def read_runtime(data_dir: Path) -> dict[str, object] | None:
    """The running process's address book, or None when none runs for this data directory."""
    try:
        info: dict[str, object] = json.loads((data_dir / RUNTIME_FILE).read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    pid = info.get("pid")
    if not isinstance(pid, int) or not _alive(pid):
        return None
    return info


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
