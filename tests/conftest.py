"""Shared fixtures: a real nats-server per test, on a free port, storing in a temp dir."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.runtime.nats_server import EmbeddedNats

# Explicit test mode: the tests written before sign-in existed act with ``--as`` as the local
# system administrator would in a demo; the identity tests (tests/identity) turn it off.
os.environ["RECTIFY_LOCAL_ADMIN"] = "1"
os.environ["RECTIFY_SESSION_FILE"] = str(Path(tempfile.mkdtemp()) / "session.json")


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(store_dir=tmp_path / "nats")
    server.start()
    yield server
    server.stop()
