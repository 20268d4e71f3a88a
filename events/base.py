"""What every recorded fact carries, whether it is about one problem or about one unit.

Problem facts name their problem; unit facts (a unit's filings, orders and circulars addressed
to the unit as a whole, spot checks) name only the unit. Both say who acted, when and how.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from events.text import Name
from events.upcasting import upcast
from events.vocabulary import Channel, Via

ACTOR_ID = ("The signed-in person's stable id (separation of duties compares these); "
            "`local:<name>` when the local system administrator named the actor in demo or "
            "test mode; empty for services and for facts recorded before sign-in existed.")


class _Upcast(BaseModel):
    """Reads older versions of an event as the current one (see ``events.upcasting``)."""

    @model_validator(mode="before")
    @classmethod
    def _upcast(cls, data: object) -> object:
        return upcast(data)


class ProblemEventBase(_Upcast):
    """What every fact about a problem carries: which problem, whose unit, who, when, how."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str = Field(description="The event type; each subclass fixes it.")
    version: int = Field(1, description="Schema version of this event type.")
    problem_id: UUID
    unit: Name = Field(description="填报单位: the unit that owns the problem.")
    actor: Name = Field(description="Who acted, as authenticated by the entry point.")
    actor_id: str | None = Field(None, max_length=200, description=ACTOR_ID)
    occurred_at: AwareDatetime
    via: Via = Field(description="How the action reached the system.")
    channel: Channel | None = Field(None, description="The intake or answer channel.")


class UnitEventBase(_Upcast):
    """What every fact about a unit as a whole carries: which unit, who, when, how."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str = Field(description="The event type; each subclass fixes it.")
    version: int = Field(1, description="Schema version of this event type.")
    unit: Name = Field(description="The unit (各分局、执法支队) the fact is about.")
    actor: Name = Field(description="Who acted, as authenticated by the entry point.")
    actor_id: str | None = Field(None, max_length=200, description=ACTOR_ID)
    occurred_at: AwareDatetime
    via: Via = Field(description="How the action reached the system.")
    channel: Channel | None = Field(None, description="Always empty: kept so every recorded "
                                                      "event has the same who/when/how fields.")


class NoticeEventBase(_Upcast):
    """What every fact about an order or circular carries: its target (a problem of the unit, or
    the unit as a whole), who, when, how.

    One family whatever the target: a notice on a problem is kept with the problem's facts, a
    notice to the unit with the unit's, so each is numbered and answered where it belongs.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str = Field(description="The event type; each subclass fixes it.")
    version: int = Field(1, description="Schema version of this event type.")
    unit: Name = Field(description="The unit the notice is addressed to (the problem's unit).")
    problem_id: UUID | None = Field(None, description="The problem it is about; none: the "
                                                      "unit as a whole.")
    actor: Name = Field(description="Who acted, as authenticated by the entry point.")
    actor_id: str | None = Field(None, max_length=200, description=ACTOR_ID)
    occurred_at: AwareDatetime
    via: Via = Field(description="How the action reached the system.")
    channel: Channel | None = Field(None, description="Always empty: kept so every recorded "
                                                      "event has the same who/when/how fields.")
