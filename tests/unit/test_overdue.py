"""超期 is decided once (events.status): the watchdog warns and the read models count the same
problems overdue, and a fix handed in stops the deadline for both."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from events.vocabulary import WarningLevel
from projections.models.ledger import read_ledger
from projections.models.stats import read_stats
from services.supervision.deadlines import problem_warnings
from tests.projections.stories import Story
from tests.projections.streams import applied

DEADLINE, AFTER_IT = date(2023, 3, 1), date(2023, 3, 6)


def test_a_missed_deadline_is_overdue_for_the_watchdog_and_the_ledger_alike(
        tmp_path: Path) -> None:
    story = Story()
    problem = story.assign(story.report(on=0), on=1, deadline=DEADLINE)

    levels = [w.level for w in problem_warnings(problem, AFTER_IT, warning_days=3)]
    [row] = read_ledger(applied(story.events, tmp_path / "r.db"), AFTER_IT)[0].rows

    assert WarningLevel.RED in levels
    assert "超期" in row.remarks


def test_a_fix_handed_in_stops_the_deadline_for_both(tmp_path: Path) -> None:
    story = Story()
    problem = story.fix(story.assign(story.report(on=0), on=1, deadline=DEADLINE), on=12)
    store = applied(story.events, tmp_path / "r.db")

    [row] = read_ledger(store, AFTER_IT)[0].rows

    assert problem_warnings(problem, AFTER_IT, warning_days=3) == []
    assert "超期" not in row.remarks
    assert read_stats(store, AFTER_IT).total.overdue == 0


def test_a_fix_sent_back_after_the_deadline_is_overdue_again(tmp_path: Path) -> None:
    story = Story()
    problem = story.send_back(
        story.fix(story.assign(story.report(on=0), on=1, deadline=DEADLINE), on=12), on=13)

    [row] = read_ledger(applied(story.events, tmp_path / "r.db"), AFTER_IT)[0].rows

    assert WarningLevel.RED in [w.level for w in problem_warnings(problem, AFTER_IT, 3)]
    assert "超期" in row.remarks
