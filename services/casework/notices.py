"""督办与通报: the supervision orders and circulars an aggregate received, and its responses.

Shared by the Problem and the Unit aggregates: notices are numbered from 1 per kind in the order
issued, each may carry a due date, and each is answered at most once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from events.vocabulary import Notice
from services.casework.errors import (
    AlreadyRespondedError,
    DuplicateWarningError,
    NoticeNotFoundError,
)


@dataclass(frozen=True)
class OpenNotice:
    """An order or circular still waiting for its response."""

    notice: Notice
    number: int
    due: date | None


@dataclass
class Notices:
    """The notices of one aggregate, and which warnings about it were already recorded."""

    dues: dict[Notice, list[date | None]] = field(
        default_factory=lambda: {kind: [] for kind in Notice})
    responded: set[tuple[Notice, int]] = field(default_factory=set)
    warned: set[UUID] = field(default_factory=set)

    def next_number(self, notice: Notice) -> int:
        return len(self.dues[notice]) + 1

    def issued(self, notice: Notice, due: date | None) -> None:
        self.dues[notice].append(due)

    def due_of(self, notice: Notice, number: int) -> date | None:
        return self.dues[notice][number - 1]

    def check_can_respond(self, notice: Notice, number: int) -> None:
        issued = len(self.dues[notice])
        if not 1 <= number <= issued:
            raise NoticeNotFoundError(
                f"没有第 {number} 号{notice.label('zh')}（共 {issued} 个）",
                f"there is no {notice.label('en')} number {number} ({issued} issued)",
            )
        if (notice, number) in self.responded:
            raise AlreadyRespondedError(
                f"第 {number} 号{notice.label('zh')}已经回复过",
                f"{notice.label('en')} number {number} has already been responded to",
            )

    def check_not_warned(self, warning_id: UUID) -> None:
        if warning_id in self.warned:
            raise DuplicateWarningError(
                "这条预警已经记录过，不再重复记录",
                "this warning has already been recorded; it is not recorded twice",
            )

    def waiting(self) -> list[OpenNotice]:
        """Every order and circular not yet responded to, in the order issued."""
        return [
            OpenNotice(kind, number, due)
            for kind, dues in self.dues.items()
            for number, due in enumerate(dues, start=1)
            if (kind, number) not in self.responded
        ]
