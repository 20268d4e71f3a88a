"""The PostgreSQL server the PostgreSQL tests use, and what happens when there is none.

Where no server answers, the tests skip and say why, so that the suite runs on a laptop
without one. CI sets ``RECTIFY_TESTS_NEED_POSTGRES``: there a missing server fails the run
instead, so a green CI always means the PostgreSQL stores were tested.
"""

from __future__ import annotations

import os

import psycopg
import pytest

POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/test"
NEED_POSTGRES = "RECTIFY_TESTS_NEED_POSTGRES"


def connect_or_skip(what: str) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection to the test server; a skip (or, in CI, a failure) without one."""
    try:
        return psycopg.connect(POSTGRES_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as unreachable:
        reason = (f"no PostgreSQL server reachable at {POSTGRES_DSN} ({unreachable}); {what}"
                  " needs one")
        if os.environ.get(NEED_POSTGRES):
            pytest.fail(f"{reason}, and {NEED_POSTGRES} says this run must test it")
        pytest.skip(reason)
