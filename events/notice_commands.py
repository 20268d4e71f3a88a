"""Commands about orders and circulars (督办、通报), sent on ``cmd.notice.<verb>``: one family,
whatever the target.

The target is a problem (``problem_id``: the notice goes to the problem's unit), a unit as a
whole (``unit``), or, for a circular only, every unit of the campaign (neither), optionally
naming the units that must respond.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import ConfigDict, Field, TypeAdapter, model_validator

from events.text import CleanInput, Name, Text
from events.vocabulary import Notice, Trigger, Via


class NoticeCommand(CleanInput):
    """What every notice command says: its target, who asks, how."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    verb: str
    problem_id: UUID | None = Field(None, description="The problem the notice is about.")
    unit: Name | None = Field(None, description="The unit the notice is addressed to.")
    actor: Name
    via: Via = Via.CLI

    @property
    def to_all_units(self) -> bool:
        return self.problem_id is None and self.unit is None

    def _check_one_target(self) -> None:
        if (self.problem_id is None) == (self.unit is None):
            raise ValueError("须指明一个对象：问题或单位（二选一） / "
                             "name one target: a problem or a unit")


class IssueNotice(NoticeCommand):
    """督办 or 通报 on a problem or a unit; a circular with no target goes to every unit."""

    verb: Literal["issue"] = "issue"
    notice: Notice
    reason: Text
    due: date | None = Field(None, description="回复期限")
    triggers: tuple[Trigger, ...] = ()
    responders: tuple[Name, ...] = Field(
        (), description="通报全体单位: the units that must respond (the others read it).")

    @model_validator(mode="after")
    def _target_fits_the_notice(self) -> Self:
        if self.to_all_units:
            if self.notice is not Notice.CIRCULAR:
                raise ValueError("督办须指明问题或单位；只有通报可以发给全体单位 / an order names "
                                 "a problem or a unit; only a circular goes to all units")
            if self.due is not None and not self.responders:
                raise ValueError("有回复期限的全体通报须指明回复单位 / a circular to all units "
                                 "with a due date names the units that must respond")
        else:
            self._check_one_target()
            if self.responders:
                raise ValueError("只有发给全体单位的通报才指明回复单位 / only a circular to all "
                                 "units names responders")
        return self


class RespondToNotice(NoticeCommand):
    """回复: the unit answers its n-th order or circular on the target."""

    verb: Literal["respond"] = "respond"
    notice: Notice
    number: int = Field(ge=1)
    response: Text

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        self._check_one_target()
        return self


class MarkNoticeRead(NoticeCommand):
    """已阅: a member of the unit marks its n-th order or circular on the target read."""

    verb: Literal["read"] = "read"
    notice: Notice
    number: int = Field(ge=1)

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        self._check_one_target()
        return self


NoticeCommandModel = Annotated[IssueNotice | RespondToNotice | MarkNoticeRead,
                               Field(discriminator="verb")]

NOTICE_COMMAND_ADAPTER: TypeAdapter[NoticeCommandModel] = TypeAdapter(NoticeCommandModel)

NOTICE_COMMAND_VERBS: tuple[str, ...] = ("issue", "respond", "read")
