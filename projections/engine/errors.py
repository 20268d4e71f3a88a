"""Why a projector stops: the EVENTS stream no longer agrees with what was already applied.

A stream whose last sequence fell below a projector's position, or that skips a sequence, has
lost or reordered recorded events (a truncated stream file reuses old sequence numbers). The
projector halts loudly, naming both numbers, rather than build a ledger on a broken history.
"""

from __future__ import annotations


class StreamDivergedError(RuntimeError):
    """EVENTS and a read model disagree about the history; a person must look."""

    def __init__(self, zh: str, en: str, *, expected: int, found: int) -> None:
        super().__init__(f"{zh} ({en})")
        self.zh, self.en = zh, en
        self.expected, self.found = expected, found


class StreamBehindError(StreamDivergedError):
    """The stream's last sequence is below the position the projector already applied."""

    def __init__(self, *, position: int, stream_last: int) -> None:
        super().__init__(
            f"EVENTS 的最后序号 {stream_last} 小于投影已处理到的位置 {position}",
            f"the EVENTS stream's last sequence {stream_last} is below "
            f"the projection's position {position}",
            expected=position,
            found=stream_last,
        )


class StreamGapError(StreamDivergedError):
    """The stream skipped a sequence: the next event is not the one after the last applied."""

    def __init__(self, *, expected: int, found: int) -> None:
        super().__init__(
            f"EVENTS 第 {expected} 条缺失（序号不连续：应为 {expected}，实为 {found}）",
            f"gap in the EVENTS stream: expected sequence {expected}, found {found}",
            expected=expected,
            found=found,
        )


class PositionMismatchError(StreamDivergedError):
    """A message's ``Rectify-Position`` header disagrees with its stream sequence."""

    def __init__(self, *, sequence: int, header: int) -> None:
        super().__init__(
            f"EVENTS 第 {sequence} 条标注的位置为 {header}，不是事件库写入的位置",
            f"the message at stream sequence {sequence} says Rectify-Position {header}",
            expected=sequence,
            found=header,
        )


class UndecodableEventError(RuntimeError):
    """A message on EVENTS is not a valid event of the contract."""

    def __init__(self, sequence: int, reason: str) -> None:
        self.zh = f"EVENTS 第 {sequence} 条不是有效事件：{reason}"
        self.en = f"stream sequence {sequence} is not a valid event: {reason}"
        super().__init__(f"{self.zh} ({self.en})")
        self.sequence, self.reason = sequence, reason

    def __reduce__(self) -> tuple[type[UndecodableEventError], tuple[int, str]]:
        """As it was made: a rebuild's writer process raises it in the reading one."""
        return type(self), (self.sequence, self.reason)


class UnsealedEventError(StreamDivergedError):
    """A message on EVENTS without the relay's valid seal: not written from the event store."""

    def __init__(self, *, sequence: int) -> None:
        super().__init__(
            f"EVENTS 第 {sequence} 条没有转发器的有效封签，不是事件库写入的事件（伪造或被改动）",
            f"EVENTS message {sequence} lacks the relay's valid seal: it was not written from "
            "the event store (forged or altered)",
            expected=sequence,
            found=sequence,
        )


class StreamPurgedError(StreamDivergedError):
    """Messages after the projection's position are gone from EVENTS (deleted or purged)."""

    def __init__(self, *, expected: int, first: int) -> None:
        super().__init__(
            f"EVENTS 第 {expected} 至 {first - 1} 条已不在流中（被删除或清空）",
            f"EVENTS messages {expected} to {first - 1} are gone (deleted or purged)",
            expected=expected,
            found=first,
        )
