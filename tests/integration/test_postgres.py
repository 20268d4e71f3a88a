"""The event store in PostgreSQL: the same casework, the same guarantees."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from events.commands import Assign
from services.casework.application import Casework
from services.casework.errors import VersionConflictError
from services.runtime.config import postgres_env
from tests.builders import a_submission
from tests.postgres import POSTGRES_DSN, connect_or_skip

pytestmark = pytest.mark.postgres



@pytest.fixture
def schema() -> Iterator[str]:
    name = f"rectify_test_{uuid.uuid4().hex[:8]}"
    connection = connect_or_skip("the PostgreSQL event store test")
    connection.execute(f"CREATE SCHEMA {name}")
    yield name
    connection.execute(f"DROP SCHEMA {name} CASCADE")
    connection.close()


def test_problems_are_filed_once_and_commands_checked_in_postgresql(schema: str) -> None:
    casework = Casework({**postgres_env(POSTGRES_DSN), "POSTGRES_SCHEMA": schema})
    try:
        submission = a_submission()
        first, again = casework.file([submission, submission])
        assert first.created
        assert not again.created
        assert not casework.file([submission])[0].created
        with pytest.raises(VersionConflictError):
            casework.handle(Assign(problem_id=first.problem_id, actor="王科长", leader="张局",
                                   department="法制股", measures="补正",
                                   deadline=submission.submitted_at.date(), expected_version=3))
        assert [f.type for f in casework.history(first.problem_id)] == ["ProblemReported"]
        assert casework.position() == 1
    finally:
        casework.close()
