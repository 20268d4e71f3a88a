"""问题收集: what an intake channel publishes to ``intake.<channel>``."""

from __future__ import annotations

from pydantic import AwareDatetime, ConfigDict, Field, TypeAdapter

from events.lifecycle import EvidenceRef, Reporter
from events.text import ChannelId, CleanInput, Name, Text
from events.vocabulary import Category, Channel

MAX_SUBMISSION_BYTES = 64 * 1024
"""A submission is a few paragraphs of text; anything larger is refused unread."""


class IntakeSubmission(CleanInput):
    """One problem as a channel received it, before it becomes a Problem."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: Channel
    intake_id: ChannelId = Field(description="The channel's own id: the de-duplication key.")
    unit: Name = Field(description="填报单位: the unit the problem concerns.")
    category: Category
    problem: Text = Field(description="执法问题")
    case: Text = Field(description="执法案例")
    submitted_at: AwareDatetime
    filed_by: Name | None = Field(None, description="填报人: the staff member who filed it.")
    reporter: Reporter | None = None
    enterprise: Name | None = None
    evidence: tuple[EvidenceRef, ...] = ()

    @property
    def actor(self) -> str:
        """Who the resulting event names: the filer, else the public through the channel."""
        return self.filed_by or f"public:{self.channel.value}"


SUBMISSION_ADAPTER: TypeAdapter[IntakeSubmission] = TypeAdapter(IntakeSubmission)
