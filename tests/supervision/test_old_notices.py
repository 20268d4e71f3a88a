"""Orders and circulars recorded before they were one family still read, number and answer.

The event store below is written with the old shapes, as JSON bodies exactly as earlier versions
stored them (``SupervisionOrderIssued`` without a number, ``CircularIssued``,
``UnitOrderIssued``, ``UnitCircularIssued``, ``UnitNoticeResponded``, ``UnitResponseOverdue``),
then read by today's aggregates, commands and read models.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from events.identity import unit_id_for, warning_id_for
from events.notice_commands import IssueNotice, RespondToNotice
from events.notices import NoticeIssued, NoticeResponded, ResponseOverdue
from events.recorded import RecordedEvent, parse_recorded, problem_of
from events.vocabulary import Notice, Trigger
from projections.models.supervision import read_notices
from services.casework.application import Casework
from services.casework.errors import AlreadyRespondedError
from tests.builders import REPORTED_AT, SUPERVISOR, a_submission
from tests.projections.streams import applied

UNIT = "乙分局"
WHEN = "2023-03-01T09:00:00+08:00"


def _old(type_: str, version: int, **fields: object) -> dict[str, object]:
    return {"type": type_, "version": version, "actor": SUPERVISOR, "actor_id": None,
            "occurred_at": WHEN, "via": "cli", "channel": None, **fields}


def old_problem_facts(problem: UUID, unit: str) -> list[dict[str, object]]:
    on = {"problem_id": str(problem), "unit": unit}
    return [
        _old("SupervisionOrderIssued", 1, **on, reason="整改进度迟缓", due="2023-03-10"),
        _old("CircularIssued", 1, **on, number=1, reason="群众多次举报", due=None),
        _old("NoticeResponded", 1, **on, notice="circular", number=1, response="已整改"),
    ]


def old_unit_facts() -> list[dict[str, object]]:
    warning = warning_id_for(unit_id_for(UNIT), "circular:1", date(2023, 3, 5), "red")
    return [
        _old("UnitOrderIssued", 1, unit=UNIT, number=1, reason="自查不深入", due="2023-03-05"),
        _old("UnitCircularIssued", 2, unit=UNIT, number=1, reason="推进迟缓",
             due="2023-03-05", triggers=["slow"]),
        _old("UnitNoticeResponded", 1, unit=UNIT, notice="order", number=1,
             response="已补充自查"),
        _old("UnitResponseOverdue", 1, unit=UNIT, warning_id=str(warning), notice="circular",
             number=1, due="2023-03-05"),
    ]


@pytest.fixture
def old_store(tmp_path: Path) -> Iterator[tuple[Casework, UUID]]:
    """A SQLite event store holding a problem and a unit with the old notice facts."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
           "SQLITE_DBNAME": str(tmp_path / "events.sqlite")}
    casework = Casework(env, clock=lambda: REPORTED_AT + timedelta(days=10))
    [filed] = casework.file([a_submission(unit=UNIT)])
    stored = [StoredEvent(filed.problem_id, version, str(fact["type"]),
                          json.dumps(fact, ensure_ascii=False).encode())
              for version, fact in enumerate(old_problem_facts(filed.problem_id, UNIT), 2)]
    stored += [StoredEvent(unit_id_for(UNIT), version, str(fact["type"]),
                           json.dumps(fact, ensure_ascii=False).encode())
               for version, fact in enumerate(old_unit_facts(), 1)]
    casework.recorder.insert_events(stored)
    yield casework, filed.problem_id
    casework.close()


def recorded_events(casework: Casework) -> list[RecordedEvent]:
    return [parse_recorded(n.state) for n in casework.recorder.select_notifications(1, 100)]


def test_old_notice_facts_read_as_the_one_family(old_store: tuple[Casework, UUID]) -> None:
    casework, problem = old_store
    order, circular, answered = casework.history(problem)[1:]
    assert isinstance(order, NoticeIssued)
    assert (order.notice, order.number, order.problem_id, order.triggers) == (
        Notice.ORDER, None, problem, ())
    assert isinstance(circular, NoticeIssued)
    assert (circular.notice, circular.number, circular.response_required) == (
        Notice.CIRCULAR, 1, True)
    assert isinstance(answered, NoticeResponded)
    unit_facts = casework.unit_history(UNIT)
    assert [type(f) for f in unit_facts] == [NoticeIssued, NoticeIssued, NoticeResponded,
                                             ResponseOverdue]
    assert all(problem_of(f) is None for f in unit_facts)
    assert isinstance(unit_facts[1], NoticeIssued)
    assert unit_facts[1].triggers == (Trigger.SLOW,)


def test_old_notices_are_numbered_and_answered_by_todays_commands(
        old_store: tuple[Casework, UUID]) -> None:
    casework, problem = old_store
    casework.handle_notice(RespondToNotice(problem_id=problem, actor="乙分局 负责人",
                                           notice=Notice.ORDER, number=1, response="已督促整改"))
    casework.handle_notice(IssueNotice(problem_id=problem, actor=SUPERVISOR,
                                       notice=Notice.ORDER, reason="再次督办",
                                       triggers=(Trigger.SLOW,)))
    casework.handle_notice(IssueNotice(unit=UNIT, actor=SUPERVISOR, notice=Notice.ORDER,
                                       reason="仍未整改", triggers=(Trigger.REFUSING,)))
    with pytest.raises(AlreadyRespondedError):
        casework.handle_notice(RespondToNotice(unit=UNIT, actor="乙分局 负责人",
                                               notice=Notice.ORDER, number=1, response="再答"))
    new_on_problem = casework.history(problem)[-1]
    new_on_unit = casework.unit_history(UNIT)[-1]
    assert isinstance(new_on_problem, NoticeIssued)
    assert isinstance(new_on_unit, NoticeIssued)
    assert (new_on_problem.number, new_on_unit.number) == (2, 2)
    assert [(n.notice, n.number) for n in casework.get_unit(UNIT).notices.waiting()] == [
        (Notice.ORDER, 2), (Notice.CIRCULAR, 1)]


def test_the_read_model_lists_old_and_new_notices_alike(
        old_store: tuple[Casework, UUID], tmp_path: Path) -> None:
    casework, problem = old_store
    casework.handle_notice(IssueNotice(problem_id=problem, actor=SUPERVISOR,
                                       notice=Notice.ORDER, reason="再次督办",
                                       triggers=(Trigger.SLOW,)))
    store = applied(recorded_events(casework), tmp_path / "views.sqlite")
    lines = [(n.problem_id, n.notice, n.number, n.responded_at is not None, n.response_overdue)
             for n in read_notices(store, UNIT)]
    assert lines == [
        (str(problem), Notice.ORDER, 1, False, False),
        (str(problem), Notice.CIRCULAR, 1, True, False),
        ("", Notice.ORDER, 1, True, False),
        ("", Notice.CIRCULAR, 1, False, True),
        (str(problem), Notice.ORDER, 2, False, False),
    ]
