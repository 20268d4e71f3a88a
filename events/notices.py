"""督办与通报: supervision orders and circulars as one family of facts, whatever their target.

A notice is addressed to a unit, either about one of its problems (``problem_id``) or about the
unit as a whole (no ``problem_id``). It is numbered from 1 per target and kind, in the order
issued; a read, a response or an overdue response names it by kind and number. A circular to
all units (通报全体单位) is one copy per unit sharing a ``broadcast`` id: each unit's read is
recorded on its own copy, and only the units named as responders owe a response.

These facts replace two parallel families that had drifted apart (``SupervisionOrderIssued``
without a number beside ``UnitOrderIssued`` with one, ``CircularIssued`` beside
``UnitCircularIssued``, ``UnitNoticeResponded``, ``UnitResponseOverdue``). Those stay readable:
each event type below lists its old names, so that a reader routes them here, and an upcaster
turns each old shape into the new one. The recorded bytes are never rewritten.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from events.base import NoticeEventBase
from events.text import Text
from events.upcasting import JsonObject, upcaster
from events.vocabulary import Notice, Trigger

WarningId = Annotated[UUID, Field(description="Derived from the aggregate, what is watched, "
                                              "its due date and the level: the same warning "
                                              "always has the same id.")]


class NoticeIssued(NoticeEventBase):
    """督办 / 通报: the campaign office pressed the unit, on a problem or as a whole.

    Older names read as this event: ``SupervisionOrderIssued`` and ``CircularIssued`` (on a
    problem), ``UnitOrderIssued`` and ``UnitCircularIssued`` (on a unit).
    """

    type: Literal["NoticeIssued", "SupervisionOrderIssued", "CircularIssued", "UnitOrderIssued",
                  "UnitCircularIssued"] = "NoticeIssued"
    notice: Notice
    number: int | None = Field(None, ge=1, description=(
        "The target's n-th notice of this kind. None only on the orders recorded on a problem "
        "before orders were numbered: their number is their place among the problem's orders."))
    reason: Text
    due: date | None = Field(None, description="回复期限: when the response is due.")
    triggers: tuple[Trigger, ...] = Field(
        (), description="The notice's triggers for pressing the unit (reason codes).")
    broadcast: UUID | None = Field(None, description=(
        "通报全体单位: the id every unit's copy of a circular to all units shares; none: a "
        "notice to this target alone."))
    response_required: bool = Field(True, description=(
        "Whether the unit owes a response; on a circular to all units, only the units named "
        "as responders do."))


class NoticeRead(NoticeEventBase):
    """已阅: a member of the unit (staff or leader) marked the notice read."""

    type: Literal["NoticeRead"] = "NoticeRead"
    notice: Notice
    number: int = Field(ge=1)


class NoticeResponded(NoticeEventBase):
    """回复: the unit responded to an order or circular. Older name: ``UnitNoticeResponded``."""

    type: Literal["NoticeResponded", "UnitNoticeResponded"] = "NoticeResponded"
    notice: Notice
    number: int = Field(ge=1)
    response: Text


class ResponseOverdue(NoticeEventBase):
    """督办逾期: an order or circular passed its due date unanswered.

    Older name: ``UnitResponseOverdue``.
    """

    type: Literal["ResponseOverdue", "UnitResponseOverdue"] = "ResponseOverdue"
    warning_id: WarningId
    notice: Notice
    number: int = Field(ge=1)
    due: date


NoticeFact = NoticeIssued | NoticeRead | NoticeResponded | ResponseOverdue
"""Any fact about an order or circular (a plain union: the problem and unit unions hold it)."""

NOTICE_EVENT_TYPES: tuple[type[NoticeEventBase], ...] = (
    NoticeIssued, NoticeRead, NoticeResponded, ResponseOverdue)


def _issued(old: JsonObject, notice: Notice) -> JsonObject:
    """An old notice as ``NoticeIssued`` version 1: addressed to its target alone."""
    return {**old, "type": "NoticeIssued", "version": 1, "notice": notice.value,
            "broadcast": None, "response_required": True}


@upcaster("SupervisionOrderIssued", 1)  # before reason codes: none
@upcaster("SupervisionOrderIssued", 2)
def _problem_order_joined_the_family(old: JsonObject) -> JsonObject:
    return _issued(old, Notice.ORDER)


@upcaster("CircularIssued", 1)  # before reason codes: none
@upcaster("CircularIssued", 2)
def _problem_circular_joined_the_family(old: JsonObject) -> JsonObject:
    return _issued(old, Notice.CIRCULAR)


@upcaster("UnitOrderIssued", 1)  # before reason codes: none
@upcaster("UnitOrderIssued", 2)
def _unit_order_joined_the_family(old: JsonObject) -> JsonObject:
    return _issued(old, Notice.ORDER)


@upcaster("UnitCircularIssued", 1)  # before reason codes: none
@upcaster("UnitCircularIssued", 2)
def _unit_circular_joined_the_family(old: JsonObject) -> JsonObject:
    return _issued(old, Notice.CIRCULAR)


@upcaster("UnitNoticeResponded", 1)
def _unit_response_joined_the_family(old: JsonObject) -> JsonObject:
    return {**old, "type": "NoticeResponded", "version": 1}


@upcaster("UnitResponseOverdue", 1)
def _unit_overdue_joined_the_family(old: JsonObject) -> JsonObject:
    return {**old, "type": "ResponseOverdue", "version": 1}
