"""A report as the website and the JSON API take it, and the submission it becomes."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from eventsourcing.cipher import AESCipher
from pydantic import BaseModel, ConfigDict, Field

from events.submission import IntakeSubmission
from events.text import ChannelId, Name, Phone, Text
from events.vocabulary import Category, Channel
from services.intake.categorize import infer_category
from services.intake.privacy import Contact, seal

STAFF_CHANNELS = frozenset({Channel.SPOT_CHECK, Channel.OVERSIGHT, Channel.AUDIT,
                            Channel.RECONSIDERATION, Channel.CENTRAL_INSPECTION})
"""Findings of the supervising section and of oversight: filed by a named staff member."""

HttpChannel = Literal["website", "spot_check", "oversight", "audit", "reconsideration",
                      "central_inspection"]


class ReporterIn(BaseModel):
    """举报人: leave both empty to report anonymously."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    phone: Phone | None = None


class ReportIn(BaseModel):
    """One problem reported over HTTP."""

    model_config = ConfigDict(extra="forbid")

    channel: HttpChannel = Field("website", description="website for the public; the staff "
                                 "channels spot_check, oversight, audit, reconsideration, "
                                 "central_inspection need filed_by")
    intake_id: ChannelId | None = Field(
        None, description="Your own id for this report: sent again with it, nothing new is filed. "
                          "Default: derived from the report's content.")
    unit: Name | None = Field(None, description="涉及单位; public reports may leave it out")
    category: Category | None = Field(None,
                                      description="问题类别; inferred from the text if absent")
    problem: Text = Field(description="执法问题: what went wrong, in a sentence")
    case: Text = Field(description="具体情况: when, where, what happened")
    enterprise: Name | None = Field(None, description="涉及企业或地点")
    reporter: ReporterIn | None = None
    filed_by: Name | None = Field(None, description="填报人: required for staff channels")

    def missing_for_staff(self) -> list[str]:
        """The fields a staff channel needs that this report lacks."""
        if Channel(self.channel) not in STAFF_CHANNELS:
            return []
        return [name for name in ("filed_by", "unit") if getattr(self, name) is None]

    def content_key(self) -> str:
        """A de-duplication id from the content, for clients that send no id of their own."""
        content = self.model_dump_json(exclude={"intake_id"})
        return "sha256:" + hashlib.sha256(content.encode()).hexdigest()[:40]


def to_submission(report: ReportIn, cipher: AESCipher, public_unit: str, now: datetime,
                  intake_id: str | None = None) -> tuple[IntakeSubmission, bool]:
    """The submission to publish, and whether its category was inferred from the text."""
    contact = Contact(name=report.reporter.name, phone=report.reporter.phone) \
        if report.reporter else Contact()
    category = report.category or infer_category(report.problem, report.case)
    submission = IntakeSubmission(
        channel=Channel(report.channel),
        intake_id=intake_id or report.intake_id or report.content_key(),
        unit=report.unit or public_unit, category=category,
        problem=report.problem, case=report.case, submitted_at=now,
        filed_by=report.filed_by, reporter=seal(cipher, contact), enterprise=report.enterprise,
    )
    return submission, report.category is None
