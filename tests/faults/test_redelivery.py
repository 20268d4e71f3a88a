"""Redelivery: the projections given events they already applied (a batch fetched again after a
lost connection, or overlapping the last one) apply each once. Casework's intake (the same
submission again, within and after the de-duplication window) and the answers part (an answer
offered again is not sent again) are tested beside their consumers:
``tests/integration/test_intake.py`` and ``tests/answers/test_delivery.py``."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from projections.engine.catalog import projectors
from projections.engine.projector import Recorded, apply_batch
from projections.engine.store import SqliteStore
from tests.projections.stories import random_history
from tests.projections.views import views

TODAY = date(2023, 6, 1)


def test_events_delivered_again_are_applied_once(tmp_path: Path) -> None:
    history = random_history(random.Random(7), 400)
    recorded = [Recorded(n, event, event.model_dump_json().encode())
                for n, event in enumerate(history, start=1)]
    once, twice = SqliteStore(tmp_path / "once.db"), SqliteStore(tmp_path / "twice.db")
    try:
        apply_batch(once, projectors(), recorded)
        rng = random.Random(11)
        start = 0
        while start < len(recorded):
            end = min(len(recorded), start + rng.randint(1, 50))
            apply_batch(twice, projectors(), recorded[start:end])
            again = max(0, start - rng.randint(0, 20))  # the same events, delivered again
            apply_batch(twice, projectors(), recorded[again:end])
            start = end
        assert views(twice, history, TODAY) == views(once, history, TODAY)
    finally:
        once.close()
        twice.close()
