"""Everything a reader can see in the read models, captured for comparing two builds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from events.base import ProblemEventBase
from events.recorded import RecordedEvent
from projections.engine.store import ReadStore
from projections.exports.ledger_files import FORMATS, export
from projections.models.board import Board, read_board
from projections.models.extensions import ExtensionRequest, read_extension_requests
from projections.models.ledger import UnitLedger, read_ledger
from projections.models.stats import Statistics, read_stats
from projections.models.summary import Summary, read_summary
from projections.models.timeline import TimelineEntry, problem_timeline
from projections.models.trail import Accountability, Action, accountability, actions_of


@dataclass(frozen=True)
class Views:
    ledger: list[UnitLedger]
    accountability: list[list[Accountability]]
    timelines: list[list[TimelineEntry]]
    actions: list[list[Action]]
    stats: Statistics
    board: Board
    summary: Summary
    exports: dict[str, bytes]
    extensions: list[ExtensionRequest]


def views(store: ReadStore, events: Sequence[RecordedEvent], today: date) -> Views:
    """Every read function's answer, and the ledger exported in every format (as bytes)."""
    problems = sorted({str(event.problem_id) for event in events
                       if isinstance(event, ProblemEventBase)})
    actors = sorted({event.actor for event in events})
    ledger = read_ledger(store, today)
    return Views(
        ledger,
        [accountability(store, by, today) for by in ("leader", "department", "unit")],
        [problem_timeline(store, problem) for problem in problems],
        [actions_of(store, actor) for actor in actors],
        read_stats(store, today),
        read_board(store, today),
        read_summary(store, today),
        {fmt: export(ledger, fmt) for fmt in FORMATS},
        read_extension_requests(store),
    )
