"""Casework finds a report by its tracking number from its own event store, and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from events.commands import SubmitFiling, Triage
from events.identity import unit_id_for
from events.vocabulary import Category, Channel, Filing
from services.casework.application import Casework
from services.reporters.tracking import code_of
from tests.builders import a_submission, problem_id_of

KEY = b"tracking-subkey-for-tests-------"


def sqlite_env(path: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "events.sqlite"


@pytest.fixture
def casework(store: Path) -> Iterator[Casework]:
    app = Casework(sqlite_env(store), tracking_key=KEY)
    yield app
    app.close()


def test_a_filed_report_is_found_by_its_number_and_a_made_up_number_finds_nothing(
        casework: Casework) -> None:
    website = a_submission()
    hotline = a_submission(channel=Channel.HOTLINE, intake_id="hotline-0042")
    casework.file([website, hotline])

    for submission in (website, hotline):
        problem_id = problem_id_of(submission)
        assert casework.find_tracked(code_of(KEY, problem_id)) == problem_id
    assert casework.find_tracked("ABCD2345") is None
    under_another_key = code_of(b"another-key", problem_id_of(website))
    assert casework.find_tracked(under_another_key) is None


def test_only_problems_have_numbers_not_units_nor_later_events(casework: Casework) -> None:
    problem_id = casework.file([a_submission()])[0].problem_id
    casework.handle(Triage(problem_id=problem_id, actor="法规科 李四",
                           category=Category.OVER_INSPECTION, root_cause="检查计划未统筹"))
    casework.handle_unit(SubmitFiling(unit="第一分局", actor="第一分局 填报人",
                                      filing=Filing.LEDGER, phone="0391-1234567"))

    assert casework.find_tracked(code_of(KEY, problem_id)) == problem_id
    assert casework.find_tracked(code_of(KEY, unit_id_for("第一分局"))) is None


def test_a_casework_started_later_or_beside_finds_what_was_filed_on_the_same_store(
        casework: Casework, store: Path) -> None:
    before = a_submission()
    casework.file([before])
    beside = Casework(sqlite_env(store), tracking_key=KEY)
    try:
        assert beside.find_tracked(code_of(KEY, problem_id_of(before))) == problem_id_of(before)
        after = a_submission(intake_id="web-2023-0002")
        casework.file([after])  # filed by the other casework, after this one caught up
        assert beside.find_tracked(code_of(KEY, problem_id_of(after))) == problem_id_of(after)
    finally:
        beside.close()


def test_without_a_key_no_number_finds_anything(store: Path) -> None:
    app = Casework(sqlite_env(store))
    try:
        problem_id = app.file([a_submission()])[0].problem_id
        assert app.find_tracked(code_of(KEY, problem_id)) is None
    finally:
        app.close()
