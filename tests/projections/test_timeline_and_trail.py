"""Who did what, when: a problem's audit timeline and the accountability trail of its people."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from events.base import ProblemEventBase
from events.vocabulary import Channel, Via
from projections.models.timeline import chain_holds, problem_timeline
from projections.models.trail import Accountability, accountability, actions_of
from tests.projections.stories import SECTION, STAFF, Story
from tests.projections.streams import applied


def a_contested_rectification() -> Story:
    """A hotline report fixed late after being sent back once, and one still overdue."""
    story = Story()
    contested = story.report(on=0, channel=Channel.HOTLINE)
    story.assign(contested, on=1, deadline=date(2023, 3, 1), leader="赵局长", department="法制科")
    story.send_back(story.fix(contested, on=5), on=6)
    story.answer(story.verify(story.fix(contested, on=8), on=9), on=10)
    story.close(contested, on=10)  # 2023-03-04: late
    on_time = story.report(on=1)
    story.assign(on_time, on=2, deadline=date(2023, 3, 31), leader="赵局长", department="执法一科")
    story.close(story.verify(story.fix(on_time, on=3), on=4), on=4)
    story.reopen(on_time, on=5)
    story.close(story.verify(story.fix(on_time, on=6), on=7), on=7)
    stuck = story.report(on=2, unit="第二分局")
    story.assign(stuck, on=3, deadline=date(2023, 3, 5), leader="钱副局长", department="法制科")
    story.supervise(stuck, on=12)
    return story


def test_a_problems_timeline_lists_every_event_with_who_how_when_and_where(
    tmp_path: Path
) -> None:
    story = a_contested_rectification()
    store = applied(story.events, tmp_path / "r.db")
    first = story.events[0]
    assert isinstance(first, ProblemEventBase)
    contested = first.problem_id

    timeline = problem_timeline(store, contested)

    assert [entry.event.type for entry in timeline] == [
        "ProblemReported", "ProblemTriaged", "RectificationAssigned", "FixSubmitted",
        "FixSentBack", "FixSubmitted", "FixVerified", "ReporterAnswered", "ProblemClosed"]
    assert [entry.version for entry in timeline] == list(range(1, 10))
    assert timeline == sorted(timeline, key=lambda entry: entry.position)
    assert [entry.event for entry in timeline] == [
        e for e in story.events if isinstance(e, ProblemEventBase) and e.problem_id == contested]
    assert timeline[0].as_dict()["channel"] == "hotline"
    assert (timeline[3].event.actor, timeline[3].event.via) == (STAFF, Via.WEB)
    assert chain_holds(timeline)


def test_the_trail_shows_each_leader_department_and_unit_and_what_each_person_did(
    tmp_path: Path
) -> None:
    store = applied(a_contested_rectification().events, tmp_path / "r.db")
    today = date(2023, 3, 10)

    assert accountability(store, "leader", today) == [
        Accountability("赵局长", assigned=2, closed_on_time=1, closed_late=1, sent_back=1,
                       reopened=1),
        Accountability("钱副局长", assigned=1, open=1, overdue=1, supervision_orders=1),
    ]
    assert [(a.who, a.assigned, a.overdue) for a in accountability(store, "department", today)] \
        == [("法制科", 2, 1), ("执法一科", 1, 0)]
    assert [(a.who, a.closed_late, a.supervision_orders) for a in
            accountability(store, "unit", today)] == [("第一分局", 1, 0), ("第二分局", 0, 1)]
    staff_did = [action.type for action in actions_of(store, STAFF)]
    assert staff_did[:3] == ["FixSubmitted", "FixSubmitted", "ProblemReported"]  # stream order
    assert staff_did.count("FixSubmitted") == 4
    section_did = {action.type for action in actions_of(store, SECTION)}
    assert section_did >= {"FixSentBack", "ProblemClosed"}
