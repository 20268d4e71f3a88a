"""督办与通报: the orders and circulars an aggregate received, read and answered.

Shared by the Problem and the Unit aggregates, which both issue and fold the facts of
``events.notices``: notices are numbered from 1 per kind in the order issued, each may carry a
due date, each is read and answered at most once, and only a notice that asks for a response
can be answered (a circular to all units asks it of the named units only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from events.notices import NoticeIssued, NoticeRead, NoticeResponded, ResponseOverdue
from events.vocabulary import Notice
from services.casework.errors import (
    AlreadyReadError,
    AlreadyRespondedError,
    DuplicateWarningError,
    NoResponseOwedError,
    NoticeNotFoundError,
    TriggerRequiredError,
)


@dataclass(frozen=True)
class OpenNotice:
    """An order or circular still waiting for its response."""

    notice: Notice
    number: int
    due: date | None


@dataclass(frozen=True)
class Issued:
    """What the rules need of one notice: when its response is due, and whether one is owed."""

    due: date | None
    response_required: bool


@dataclass
class Notices:
    """The notices of one aggregate, and which warnings about it were already recorded."""

    issued: dict[Notice, list[Issued]] = field(
        default_factory=lambda: {kind: [] for kind in Notice})
    read: set[tuple[Notice, int]] = field(default_factory=set)
    responded: set[tuple[Notice, int]] = field(default_factory=set)
    warned: set[UUID] = field(default_factory=set)

    def next_number(self, notice: Notice) -> int:
        return len(self.issued[notice]) + 1

    def due_of(self, notice: Notice, number: int) -> date | None:
        return self.issued[notice][number - 1].due

    def issue_fields(self, notice: Notice, reason: str, due: date | None,
                     triggers: tuple[Any, ...], broadcast: UUID | None = None,
                     response_required: bool = True) -> dict[str, Any]:
        """The fields of the next ``NoticeIssued`` of this kind (the caller adds the target)."""
        self.check_order_has_a_trigger(notice, triggers)
        return {"notice": notice, "number": self.next_number(notice), "reason": reason,
                "due": due, "triggers": triggers, "broadcast": broadcast,
                "response_required": response_required}

    @staticmethod
    def check_order_has_a_trigger(notice: Notice, triggers: tuple[Any, ...]) -> None:
        """督办 is for the notice's four situations: an order names at least one of them."""
        if notice is Notice.ORDER and not triggers:
            raise TriggerRequiredError(
                "督办须注明通知所列事由：查找问题不深入不具体、整治工作推进迟缓、敷衍塞责、拒不整改",
                "an order names the notice's trigger: problems not sought deeply, slow progress, "
                "perfunctory, or refusing to rectify")

    def check_exists(self, notice: Notice, number: int) -> None:
        issued = len(self.issued[notice])
        if not 1 <= number <= issued:
            raise NoticeNotFoundError(
                f"没有第 {number} 号{notice.label('zh')}（共 {issued} 个）",
                f"there is no {notice.label('en')} number {number} ({issued} issued)",
            )

    def check_can_respond(self, notice: Notice, number: int) -> None:
        self.check_exists(notice, number)
        if not self.issued[notice][number - 1].response_required:
            raise NoResponseOwedError(
                f"第 {number} 号{notice.label('zh')}不要求本单位回复，阅知即可",
                f"{notice.label('en')} number {number} asks no response of this unit: "
                "mark it read",
            )
        if (notice, number) in self.responded:
            raise AlreadyRespondedError(
                f"第 {number} 号{notice.label('zh')}已经回复过",
                f"{notice.label('en')} number {number} has already been responded to",
            )

    def check_can_read(self, notice: Notice, number: int) -> None:
        self.check_exists(notice, number)
        if (notice, number) in self.read:
            raise AlreadyReadError(f"第 {number} 号{notice.label('zh')}已标记为已阅",
                                   f"{notice.label('en')} number {number} is already read")

    def check_not_warned(self, warning_id: UUID) -> None:
        if warning_id in self.warned:
            raise DuplicateWarningError(
                "这条预警已经记录过，不再重复记录",
                "this warning has already been recorded; it is not recorded twice",
            )

    def fold(self, fact: NoticeIssued | NoticeRead | NoticeResponded | ResponseOverdue) -> None:
        """Take one recorded notice fact into account."""
        match fact:
            case NoticeIssued():
                self.issued[fact.notice].append(Issued(fact.due, fact.response_required))
            case NoticeRead():
                self.read.add((fact.notice, fact.number))
            case NoticeResponded():
                self.responded.add((fact.notice, fact.number))
            case ResponseOverdue():
                self.warned.add(fact.warning_id)

    def waiting(self) -> list[OpenNotice]:
        """Every order and circular owed a response and not yet given one, in the order issued."""
        return [
            OpenNotice(kind, number, issued.due)
            for kind, notices in self.issued.items()
            for number, issued in enumerate(notices, start=1)
            if issued.response_required and (kind, number) not in self.responded
        ]
