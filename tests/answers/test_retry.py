"""How long an answer that failed for now waits before it is offered again."""

from __future__ import annotations

from services.answers.parts import RETRY_MAX_SECONDS, retry_delay


def test_the_pause_doubles_from_one_second_up_to_five_minutes() -> None:
    assert [retry_delay(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert retry_delay(9) == 256.0
    assert retry_delay(10) == retry_delay(10_000) == RETRY_MAX_SECONDS == 300.0
