"""Why the relay stops for good: EVENTS and the event store no longer tell the same history.

Each says what it found in zh and en; ``rectify repair --apply`` is what fixes every one of them
(the store is the truth, EVENTS its copy).
"""

from __future__ import annotations


class RelayHaltedError(RuntimeError):
    """EVENTS disagrees with the event store; publishing on would build on a broken copy."""

    def __init__(self, zh: str, en: str, *, sequence: int) -> None:
        super().__init__(f"{zh} ({en})")
        self.zh, self.en, self.sequence = zh, en, sequence


class StreamAheadOfStoreError(RelayHaltedError):
    """EVENTS holds more than the event store."""

    def __init__(self, *, stream_last: int, store_position: int) -> None:
        super().__init__(f"EVENTS 已到第 {stream_last} 条，事件库只到第 {store_position} 条",
                         f"EVENTS is at {stream_last} but the event store only at "
                         f"{store_position}", sequence=stream_last)


class PositionGapError(RelayHaltedError):
    """The store skipped a position (a rolled-back PostgreSQL insert): seq == position breaks."""

    def __init__(self, *, published: int, next_position: int) -> None:
        super().__init__(f"事件库位置从 {published} 跳到 {next_position}",
                         f"event store position jumps from {published} to {next_position}",
                         sequence=published + 1)


class ForeignEventError(RelayHaltedError):
    """A message in EVENTS that the store did not write there: forged, altered or misplaced."""

    def __init__(self, *, sequence: int, why_zh: str, why_en: str) -> None:
        super().__init__(f"EVENTS 第 {sequence} 条与事件库不符（{why_zh}）",
                         f"EVENTS message {sequence} does not match the event store ({why_en})",
                         sequence=sequence)
