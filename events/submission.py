"""问题收集: what an intake channel publishes to ``intake.<channel>``."""

from __future__ import annotations

from pydantic import AwareDatetime, ConfigDict, Field, TypeAdapter

from events.lifecycle import EvidenceRef, Reporter
from events.text import ChannelId, CleanInput, Name, Text
from events.vocabulary import Category, Channel

ANONYMOUS_PUBLIC = "匿名群众"
"""Whom a public report is filed for when the reporter left no name."""
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
    on_behalf_of: Name | None = Field(
        None, description="代为登记: whom the filer files for, when not a public reporter (the "
                          "unit's 填报人 of an imported ledger).")
    reporter: Reporter | None = None
    enterprise: Name | None = None
    evidence: tuple[EvidenceRef, ...] = ()

    @property
    def actor(self) -> str:
        """Who the resulting event names: the filer, else the public through the channel."""
        return self.filed_by or f"public:{self.channel.value}"

    @property
    def filed_for(self) -> str | None:
        """For whom the actor files: as stated, else on a public channel the reporter (masked)
        or 匿名群众; None when the actor reports on their own account."""
        if self.on_behalf_of or not self.channel.is_public:
            return self.on_behalf_of
        return (self.reporter.masked_name if self.reporter else None) or ANONYMOUS_PUBLIC


SUBMISSION_ADAPTER: TypeAdapter[IntakeSubmission] = TypeAdapter(IntakeSubmission)
