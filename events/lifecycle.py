"""The life of one enforcement problem as immutable, versioned facts.

These models are the published contract: the Problem aggregate records exactly these, the event
store keeps their JSON, and the relay puts the same bytes on the EVENTS stream. The supervision
facts about a problem (warnings, rebounds) live in ``events.supervision``, the orders and
circulars on it in ``events.notices``; all belong to the same ``ProblemEvent`` union.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from events.base import ProblemEventBase as ProblemEventBase
from events.notices import NOTICE_EVENT_TYPES, NoticeFact
from events.supervision import DeadlineWarningRaised, ReboundSuspected
from events.text import ChannelId, Name, Text
from events.upcasting import JsonObject, upcaster
from events.vocabulary import (
    AnswerRoute,
    Category,
    Channel,
    Plan,
    Satisfaction,
    TypicalReason,
)


class Reporter(BaseModel):
    """举报人: the member of the public or enterprise who reported a problem.

    Name and contacts are personal data: the intake gateways put them in ``sealed`` (encrypted,
    only readable with the reporter key) and keep masked forms for display. ``name`` and
    ``phone`` in clear are what reports recorded before sealing carry; they stay readable.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name | None = None
    phone: Annotated[str, Field(max_length=30)] | None = None
    sealed: Annotated[str, Field(max_length=8000)] | None = Field(
        None, description="Name and contacts as JSON, AES-GCM encrypted, base64.")
    masked_name: Annotated[str, Field(max_length=100)] | None = Field(None, examples=["张*"])
    masked_phone: Annotated[str, Field(max_length=30)] | None = Field(
        None, examples=["138****5678"])
    masked_email: Annotated[str, Field(max_length=200)] | None = Field(
        None, examples=["z***@example.com"])


class EvidenceRef(BaseModel):
    """佐证材料: a file that came with a report (an e-mail attachment), by name, size and hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(max_length=300)]
    size: int = Field(ge=0, description="Bytes.")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    media_type: Annotated[str, Field(max_length=200)] = "application/octet-stream"


class Milestone(BaseModel):
    """One dated step of a rectification roadmap (时间表、路线图)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due: date
    description: Text


class ProblemReported(ProblemEventBase):
    """问题收集: a problem was reported through one of the intake channels.

    Version 2 added ``on_behalf_of``: for whom the actor filed (a hotline operator for the
    caller, a public gateway for its reporter); version 1 did not say.
    """

    type: Literal["ProblemReported"] = "ProblemReported"
    version: int = 2
    on_behalf_of: Name | None = Field(
        None, description="代为登记: the member of the public the actor filed for (a hotline "
                          "caller, a website or WeChat reporter), masked; empty when the actor "
                          "reported on their own account.")
    channel: Channel
    intake_id: ChannelId
    category: Category
    problem: Text = Field(description="执法问题")
    case: Text = Field(description="执法案例")
    reporter: Reporter | None = None
    enterprise: Name | None = Field(None, description="The enterprise or place concerned.")
    evidence: tuple[EvidenceRef, ...] = Field((), description="Files that came with the report.")


@upcaster("ProblemReported", 1)
def _reported_v1_said_for_nobody(reported: JsonObject) -> JsonObject:
    return {**reported, "on_behalf_of": None}


class ProblemTriaged(ProblemEventBase):
    """分类研判、剖析原因: the category was confirmed or corrected and the root cause noted.

    Version 2 added ``cause`` (one of the campaign's causes, beside the text) and
    ``typical_reasons`` (the notice's criterion for a typical case); version 1 had neither.
    """

    type: Literal["ProblemTriaged"] = "ProblemTriaged"
    version: int = 2
    category: Category
    previous_category: Category
    root_cause: Text | None = Field(None, description="症结和成因, in words.")
    typical: bool = Field(False, description="典型案件: flagged for close tracking.")
    cause: Name | None = Field(None, description="The cause, from the campaign's list.")
    typical_reasons: tuple[TypicalReason, ...] = Field(
        (), description="Why the case is typical, by the notice's criterion.")


@upcaster("ProblemTriaged", 1)
def _triage_v1_named_no_cause(triaged: JsonObject) -> JsonObject:
    return {**triaged, "cause": None, "typical_reasons": []}


class ProblemLinkedAsDuplicate(ProblemEventBase):
    """The problem repeats one already on record and is followed there."""

    type: Literal["ProblemLinkedAsDuplicate"] = "ProblemLinkedAsDuplicate"
    duplicate_of: UUID


class ProblemDeclined(ProblemEventBase):
    """不予受理: the report is out of the campaign's scope; the reporter still gets an answer."""

    type: Literal["ProblemDeclined"] = "ProblemDeclined"
    reason: Text


class RectificationAssigned(ProblemEventBase):
    """定领导、定责任、定方案、定时限: the four determinations were made.

    Either the campaign office decided them itself, or it confirmed the unit's proposal
    (``proposal_version``, the problem version of the ``RectificationProposed`` confirmed).
    Version 2 added ``proposal_version``; version 1 assignments were all the office's own.
    """

    type: Literal["RectificationAssigned"] = "RectificationAssigned"
    version: int = 2
    leader: Name = Field(description="责任领导")
    department: Name = Field(description="责任部门")
    measures: Text = Field(description="整改措施")
    deadline: date = Field(description="整改时限")
    plan: Plan
    milestones: tuple[Milestone, ...] = ()
    proposal_version: int | None = Field(
        None, ge=2, description="The unit's proposal this confirms; None: the office's own.")


@upcaster("RectificationAssigned", 1)
def _assignment_v1_was_the_offices_own(assigned: JsonObject) -> JsonObject:
    return {**assigned, "proposal_version": None}


class RectificationProposed(ProblemEventBase):
    """The unit's own four determinations (定领导、定责任、定方案、定时限), for the campaign
    office to confirm or send back: the notice gives the plan to the units.

    What the unit filled in is kept as it filled it: a determination left blank stays empty
    (the office completes it when confirming), a deadline that is not a date
    (“长期坚持”) is kept as written.
    """

    type: Literal["RectificationProposed"] = "RectificationProposed"
    proposed_by: Name = Field(description="填报人: the unit's filer who made the proposal.")
    leader: Name | None = Field(None, description="责任领导")
    department: Name | None = Field(None, description="责任部门")
    measures: Text | None = Field(None, description="整改措施")
    deadline: date | None = Field(None, description="整改时限")
    deadline_as_written: Text | None = Field(
        None, description="整改时限 as the unit wrote it, when it is not a date.")
    plan: Plan = Plan.ROADMAP
    milestones: tuple[Milestone, ...] = ()


class ProposalReturned(ProblemEventBase):
    """The campaign office sent the unit's proposed four determinations back, saying why."""

    type: Literal["ProposalReturned"] = "ProposalReturned"
    proposal_version: int = Field(ge=2, description="The problem version of the proposal.")
    reason: Text


class ProgressNoted(ProblemEventBase):
    """A note on how the rectification is going."""

    type: Literal["ProgressNoted"] = "ProgressNoted"
    note: Text


class MilestoneCompleted(ProblemEventBase):
    """One roadmap milestone was reached (numbered from 1)."""

    type: Literal["MilestoneCompleted"] = "MilestoneCompleted"
    milestone: int = Field(ge=1)
    note: Text


class ExtensionRequested(ProblemEventBase):
    """申请延期: the unit's staff ask their leader for a later deadline, saying why."""

    type: Literal["ExtensionRequested"] = "ExtensionRequested"
    current_deadline: date = Field(description="整改时限 when the request was made.")
    deadline: date = Field(description="The deadline asked for.")
    reason: Text


class ExtensionRefused(ProblemEventBase):
    """The unit's leader refused a requested extension, saying why: the deadline stands."""

    type: Literal["ExtensionRefused"] = "ExtensionRefused"
    request_version: int = Field(ge=2, description="The problem version of the request.")
    reason: Text


class DeadlineExtended(ProblemEventBase):
    """The deadline moved, for a stated reason, with an approver's consent.

    Version 2 added ``request_version``: the ``ExtensionRequested`` this approves, or None when
    the leader extended the deadline directly (every version 1 extension was direct).
    """

    type: Literal["DeadlineExtended"] = "DeadlineExtended"
    version: int = 2
    previous_deadline: date
    deadline: date
    reason: Text
    approved_by: Name
    request_version: int | None = Field(
        None, ge=2, description="The unit's request this approves; None: extended directly.")


@upcaster("DeadlineExtended", 1)
def _extension_v1_was_direct(extended: JsonObject) -> JsonObject:
    return {**extended, "request_version": None}


class FixSubmitted(ProblemEventBase):
    """The unit says the problem is fixed and offers evidence."""

    type: Literal["FixSubmitted"] = "FixSubmitted"
    summary: Text
    evidence: tuple[Text, ...] = ()


class FixVerified(ProblemEventBase):
    """已整改: the supervising section checked the fix and accepted it."""

    type: Literal["FixVerified"] = "FixVerified"


class FixSentBack(ProblemEventBase):
    """The fix was not accepted and goes back to the unit."""

    type: Literal["FixSentBack"] = "FixSentBack"
    reason: Text


class ProblemClosed(ProblemEventBase):
    """逐一销号: the problem is crossed off the ledger."""

    type: Literal["ProblemClosed"] = "ProblemClosed"


class ProblemReopened(ProblemEventBase):
    """A closed problem was opened again."""

    type: Literal["ProblemReopened"] = "ProblemReopened"
    reason: Text


AnswerVersion = Annotated[int, Field(ge=2, description="The problem version at which the "
                                                       "answer (ReporterAnswered) was recorded.")]


class ReporterAnswered(ProblemEventBase):
    """件件有回音: the reporter was answered, through the channel named.

    An answer given once the fix was verified, or the report declined or set aside, states the
    outcome (解决情况和处理结果, ``outcome``); one given earlier is a progress reply (进展答复),
    which lets the reporter hear back in time but does not let the problem be closed.
    Version 2 added ``outcome``; version 1 answers were each the report's one answer, so they
    read as outcome answers.
    """

    type: Literal["ReporterAnswered"] = "ReporterAnswered"
    version: int = 2
    message: Text
    outcome: bool = Field(description="True: the answer states the outcome; "
                                      "False: a progress reply.")


@upcaster("ReporterAnswered", 1)
def _answer_v1_was_the_outcome(answer: JsonObject) -> JsonObject:
    return {**answer, "outcome": True}


class SatisfactionRecorded(ProblemEventBase):
    """回访: the reporter said how satisfied they are with the outcome they were told.

    不满意 sends the problem back: a closed problem is reopened (``ProblemReopened`` follows);
    otherwise it goes to the supervising section to decide (the board lists it).
    """

    type: Literal["SatisfactionRecorded"] = "SatisfactionRecorded"
    satisfaction: Satisfaction
    answer_version: AnswerVersion
    note: Text | None = Field(None, description="What the reporter said, in their words.")


class AnswerDelivered(ProblemEventBase):
    """答复已送达: an answer reached the reporter, through the channel named (once per answer)."""

    type: Literal["AnswerDelivered"] = "AnswerDelivered"
    answer_version: AnswerVersion
    route: AnswerRoute
    reference: Annotated[str, Field(max_length=300)] | None = Field(
        None, description="The reply's Message-ID, or the tracking number the answer is read "
                          "with; none for a WeChat message (the API returns no id).")


class AnswerDeliveryFailed(ProblemEventBase):
    """答复未能送达: the channel refused an answer for good, or the reporter cannot be reached."""

    type: Literal["AnswerDeliveryFailed"] = "AnswerDeliveryFailed"
    answer_version: AnswerVersion
    route: AnswerRoute | None = Field(None, description="None: no route to the reporter at all.")
    code: Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9_]+$")] = Field(
        description="Why, for programs: no_contact, not_configured, wechat_45015, smtp_550 …")
    reason: Text = Field(description="Why, in Chinese.")
    reason_en: Text = Field(description="Why, in English.")


ProblemFact = (
    ProblemReported
    | ProblemTriaged
    | ProblemLinkedAsDuplicate
    | ProblemDeclined
    | RectificationProposed
    | ProposalReturned
    | RectificationAssigned
    | ProgressNoted
    | MilestoneCompleted
    | ExtensionRequested
    | ExtensionRefused
    | DeadlineExtended
    | FixSubmitted
    | FixVerified
    | FixSentBack
    | ProblemClosed
    | ProblemReopened
    | ReporterAnswered
    | SatisfactionRecorded
    | AnswerDelivered
    | AnswerDeliveryFailed
    | DeadlineWarningRaised
    | ReboundSuspected
    | NoticeFact
)
"""Any fact recorded on a problem (a plain union: ``events.recorded`` joins it with the unit's)."""

ProblemEvent = Annotated[ProblemFact, Field(discriminator="type")]
"""Any fact about a problem, told apart by its ``type``."""

EVENT_TYPES: tuple[type[ProblemEventBase], ...] = (
    ProblemReported,
    ProblemTriaged,
    ProblemLinkedAsDuplicate,
    ProblemDeclined,
    RectificationProposed,
    ProposalReturned,
    RectificationAssigned,
    ProgressNoted,
    MilestoneCompleted,
    ExtensionRequested,
    ExtensionRefused,
    DeadlineExtended,
    FixSubmitted,
    FixVerified,
    FixSentBack,
    ProblemClosed,
    ProblemReopened,
    ReporterAnswered,
    SatisfactionRecorded,
    AnswerDelivered,
    AnswerDeliveryFailed,
    DeadlineWarningRaised,
    ReboundSuspected,
)
"""The facts only a problem records; with ``NOTICE_EVENT_TYPES``, all a problem may record."""

PROBLEM_EVENT_TYPES: tuple[type[BaseModel], ...] = (*EVENT_TYPES, *NOTICE_EVENT_TYPES)

_EVENT_ADAPTER: TypeAdapter[ProblemEvent] = TypeAdapter(ProblemEvent)


def parse_event(data: bytes | str) -> ProblemEvent:
    """Decode one event from its JSON, as stored and as published."""
    return _EVENT_ADAPTER.validate_json(data)
