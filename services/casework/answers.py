"""件件有回音: the answers a problem's reporter was given, and what became of each delivery.

Progress replies (进展答复) may be given any number of times before the outcome is known. One
outcome answer per report: a second is refused while the first is delivered or still on its
way, and allowed again once the problem is reopened (there is a new outcome to tell) or once the
first could not be delivered (the reporter must still hear back, by another channel).
The reporter's satisfaction is asked once per outcome answer.
Each answer's delivery is recorded once: a redelivered ``ReporterAnswered`` finds it recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from events.vocabulary import Channel
from services.casework.errors import (
    AlreadyAnsweredError,
    AlreadyDeliveredError,
    AnswerNotFoundError,
    SatisfactionError,
)
from services.clock import china_date


class Outcome(Enum):
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Given:
    """One answer: when it was given, and the channel it is to go through."""

    at: datetime
    channel: Channel


@dataclass(frozen=True)
class Delivery:
    """What became of one answer's delivery, and when it was recorded."""

    outcome: Outcome
    at: datetime


@dataclass
class Answers:
    """The answers given, by the problem version that recorded them."""

    given: dict[int, Given] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    current: int | None = None
    """The outcome answer given since the problem was reported or last reopened."""
    rated: set[int] = field(default_factory=set)
    """The outcome answers whose reporter's satisfaction is recorded."""

    def answered(self, version: int, at: datetime, channel: Channel, outcome: bool) -> None:
        self.given[version] = Given(at, channel)
        if outcome:
            self.current = version

    def reopened(self) -> None:
        self.current = None

    def check_can_rate(self) -> int:
        """The outcome answer whose satisfaction may now be recorded."""
        if self.current is None:
            raise SatisfactionError("尚未答复举报人处理结果，无从回访满意度",
                                    "the reporter has not been told the outcome yet")
        if self.current in self.rated:
            raise SatisfactionError("本次答复的满意度已经记录",
                                    "satisfaction with this answer is already recorded")
        return self.current

    def delivered(self, version: int, outcome: Outcome, at: datetime) -> None:
        self.deliveries[version] = Delivery(outcome, at)

    def check_can_answer(self) -> None:
        if self.current is None:
            return
        delivery = self.deliveries.get(self.current)
        if delivery is not None and delivery.outcome is Outcome.FAILED:
            return
        day = china_date(self.given[self.current].at)
        raise AlreadyAnsweredError(
            f"已于 {day} 答复举报人，每件举报只答复一次；问题重新打开后才能再次答复",
            f"the reporter was answered on {day}: one answer per report, unless the problem "
            "is reopened",
        )

    def channel_of(self, version: int) -> Channel:
        return self.given[version].channel

    def check_can_record_delivery(self, version: int) -> None:
        if version not in self.given:
            raise AnswerNotFoundError(f"问题的第 {version} 个版本不是对举报人的答复",
                                      f"version {version} of the problem is not an answer")
        recorded = self.deliveries.get(version)
        if recorded is not None:
            done = ("已于 {} 送达", "was delivered on {}") if recorded.outcome is \
                Outcome.DELIVERED else ("已于 {} 记为未能送达", "was recorded undeliverable on {}")
            day = china_date(recorded.at)
            raise AlreadyDeliveredError(f"该答复{done[0].format(day)}，不再重复发送",
                                        f"this answer {done[1].format(day)}; not sent again")
