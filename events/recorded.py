"""Every recorded fact, problem or unit, as one union: what the event store and EVENTS hold.

A reader of the whole stream (the relay, projections, an auditor's script) decodes with
``parse_recorded``; code that only cares about problems checks ``isinstance(e, ProblemEventBase)``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, TypeAdapter

from events.lifecycle import EVENT_TYPES, ProblemEvent
from events.supervision import UNIT_EVENT_TYPES, UnitEvent

RecordedEvent = Annotated[ProblemEvent | UnitEvent, Field(discriminator="type")]
"""Any recorded fact: ``ProblemEvent`` or ``UnitEvent``, told apart by its ``type``."""

RECORDED_EVENT_TYPES: tuple[type[BaseModel], ...] = (*EVENT_TYPES, *UNIT_EVENT_TYPES)

_RECORDED_ADAPTER: TypeAdapter[RecordedEvent] = TypeAdapter(RecordedEvent)


def parse_recorded(data: bytes | str) -> RecordedEvent:
    """Decode any recorded fact from its JSON, as stored and as published."""
    return _RECORDED_ADAPTER.validate_json(data)
