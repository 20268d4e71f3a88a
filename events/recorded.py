"""Every recorded fact, problem, unit or notice, as one union: what the event store and EVENTS
hold.

A reader of the whole stream (the relay, projections, an auditor's script) decodes with
``parse_recorded``; code that cares about problems asks ``problem_of``: an order or circular is
about a problem when it names one.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, TypeAdapter

from events.base import NoticeEventBase, ProblemEventBase
from events.lifecycle import EVENT_TYPES, ProblemFact
from events.notices import NOTICE_EVENT_TYPES
from events.supervision import UNIT_EVENT_TYPES, UnitFact

RecordedEvent = Annotated[ProblemFact | UnitFact, Field(discriminator="type")]
"""Any recorded fact, told apart by its ``type`` (the notices, in both unions, appear once)."""

RECORDED_EVENT_TYPES: tuple[type[BaseModel], ...] = (*EVENT_TYPES, *UNIT_EVENT_TYPES,
                                                     *NOTICE_EVENT_TYPES)

_RECORDED_ADAPTER: TypeAdapter[RecordedEvent] = TypeAdapter(RecordedEvent)


def parse_recorded(data: bytes | str) -> RecordedEvent:
    """Decode any recorded fact from its JSON, as stored and as published."""
    return _RECORDED_ADAPTER.validate_json(data)


def problem_of(event: BaseModel) -> UUID | None:
    """The problem a fact is about: a problem fact's, a notice's target; none for a unit fact."""
    if isinstance(event, ProblemEventBase | NoticeEventBase):
        return event.problem_id
    return None
