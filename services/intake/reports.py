"""A report as the website and the JSON API take it, and the submission it becomes."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from eventsourcing.cipher import AESCipher
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from events.submission import IntakeSubmission
from events.text import ChannelId, Name, Phone, Text
from events.vocabulary import Category, Channel
from services.intake.categorize import infer_category
from services.reporters.privacy import Contact, seal

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


STAFF_RULE: dict[str, Any] = {
    "if": {"properties": {"channel": {"enum": sorted(c.value for c in STAFF_CHANNELS)}},
           "required": ["channel"]},
    "then": {"properties": {"unit": {"type": "string"}}, "required": ["unit"]},
}
"""A staff channel names the unit (JSON Schema of the rule the model checks); the filer is
the signed-in staff member."""


class ReportIn(BaseModel):
    """One problem reported over HTTP."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"allOf": [STAFF_RULE]})

    channel: HttpChannel = Field("website", description="website for the public; the staff "
                                 "channels spot_check, oversight, audit, reconsideration, "
                                 "central_inspection need a staff session and the unit")
    intake_id: ChannelId | None = Field(
        None, description="Your own id for this report: the same report sent again with the "
                          "same id files nothing new. The id is yours only: it is combined with "
                          "the report's content, so another client's report with the same id "
                          "is another problem. Default: derived from the content alone.")
    unit: Name | None = Field(None, description="涉及单位; public reports may leave it out")
    category: Category | None = Field(None,
                                      description="问题类别; inferred from the text if absent")
    problem: Text = Field(description="执法问题: what went wrong, in a sentence")
    case: Text = Field(description="具体情况: when, where, what happened")
    enterprise: Name | None = Field(None, description="涉及企业或地点")
    reporter: ReporterIn | None = None
    filed_by: Name | None = Field(None, description="填报人: on staff channels the signed-in "
                                  "person (named here or left out)")

    @model_validator(mode="after")
    def _staff_channels_name_filer_and_unit(self) -> ReportIn:
        """The rule ``STAFF_RULE`` says in the schema."""
        if Channel(self.channel) in STAFF_CHANNELS:
            missing = [name for name in ("unit",) if getattr(self, name) is None]
            if missing:
                raise PydanticCustomError("staff_fields", "staff channels need {missing}",
                                          {"missing": " and ".join(missing), "fields": missing})
        return self

    def content_key(self) -> str:
        """The de-duplication id of an anonymous client's report: a hash of the content and of
        the client's own id. Only someone who sends this very report again meets it again; an
        id chosen to match another client's reaches nothing of theirs."""
        content = self.model_dump_json()
        return "sha256:" + hashlib.sha256(content.encode()).hexdigest()[:40]


def to_submission(report: ReportIn, cipher: AESCipher, public_unit: str, now: datetime,
                  intake_id: str | None = None) -> tuple[IntakeSubmission, bool]:
    """The submission to publish, and whether its category was inferred from the text.

    ``intake_id``: an id the server gave or scoped itself (the form's, an API client's);
    without it the report's content key."""
    contact = Contact(name=report.reporter.name, phone=report.reporter.phone) \
        if report.reporter else Contact()
    category = report.category or infer_category(report.problem, report.case)
    submission = IntakeSubmission(
        channel=Channel(report.channel),
        intake_id=intake_id or report.content_key(),
        unit=report.unit or public_unit, category=category,
        problem=report.problem, case=report.case, submitted_at=now,
        # A public report names no filer, whatever the body says: it is the public's.
        filed_by=report.filed_by if Channel(report.channel) in STAFF_CHANNELS else None,
        reporter=seal(cipher, contact), enterprise=report.enterprise,
    )
    return submission, report.category is None
