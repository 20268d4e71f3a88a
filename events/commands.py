"""Staff commands sent by request/reply on ``cmd.problem.<verb>`` (about one problem) and
``cmd.unit.<verb>`` (about a unit as a whole), and their answers. Orders and circulars, on
either target, are ``events.notice_commands``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from events.lifecycle import Milestone
from events.text import CleanInput, Name, Phone, Text
from events.vocabulary import (
    Category,
    Channel,
    Filing,
    MechanismKind,
    PlanKind,
    Satisfaction,
    SpotCheckMethod,
    SpotCheckResult,
    TypicalReason,
    Via,
)


class ProblemCommand(CleanInput):
    """What every staff command says: which problem, who asks, and at which version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    verb: str
    problem_id: UUID
    actor: Name
    via: Via = Via.CLI
    expected_version: int | None = Field(
        None, ge=1, description="Refuse unless the problem is still at this version."
    )


class Triage(ProblemCommand):
    verb: Literal["triage"] = "triage"
    category: Category | None = None
    root_cause: Text | None = None
    typical: bool = False
    cause: Name | None = Field(None, description="One of the campaign's causes.")
    typical_reasons: tuple[TypicalReason, ...] = ()
    duplicate_of: UUID | None = None
    decline_reason: Text | None = None


class Assign(ProblemCommand):
    verb: Literal["assign"] = "assign"
    leader: Name
    department: Name
    measures: Text
    deadline: date
    immediate: bool = False
    milestones: tuple[Milestone, ...] = ()


class Propose(ProblemCommand):
    """各单位制定整改方案: the unit proposes its four determinations (blank ones may stay blank)."""

    verb: Literal["propose"] = "propose"
    proposed_by: Name | None = Field(None, description="填报人; default: the actor.")
    leader: Name | None = None
    department: Name | None = None
    measures: Text | None = None
    deadline: date | None = None
    deadline_as_written: Text | None = None
    immediate: bool = False


class ConfirmProposal(ProblemCommand):
    """The office confirms the unit's proposal, completing (or replacing) what it names."""

    verb: Literal["confirm"] = "confirm"
    leader: Name | None = None
    department: Name | None = None
    measures: Text | None = None
    deadline: date | None = None
    milestones: tuple[Milestone, ...] = ()


class ReturnProposal(ProblemCommand):
    verb: Literal["return"] = "return"
    reason: Text


class NoteProgress(ProblemCommand):
    verb: Literal["progress"] = "progress"
    note: Text
    milestone: int | None = Field(None, ge=1)


class ExtendDeadline(ProblemCommand):
    verb: Literal["extend"] = "extend"
    deadline: date
    reason: Text
    approved_by: Name


class RequestExtension(ProblemCommand):
    """申请延期: a unit's staff member asks the unit's leader for a later deadline."""

    verb: Literal["request-extension"] = "request-extension"
    deadline: date
    reason: Text


class ApproveExtension(ProblemCommand):
    """The unit's leader approves the pending request: the deadline becomes the one asked for.

    ``approved_by`` is the actor: a request is approved by the person who decides it."""

    verb: Literal["approve-extension"] = "approve-extension"


class RefuseExtension(ProblemCommand):
    verb: Literal["refuse-extension"] = "refuse-extension"
    reason: Text


class SubmitFix(ProblemCommand):
    verb: Literal["submit-fix"] = "submit-fix"
    summary: Text
    evidence: tuple[Text, ...] = ()


class VerifyFix(ProblemCommand):
    verb: Literal["verify"] = "verify"
    reject_reason: Text | None = None


class Close(ProblemCommand):
    verb: Literal["close"] = "close"


class Reopen(ProblemCommand):
    verb: Literal["reopen"] = "reopen"
    reason: Text


class AnswerReporter(ProblemCommand):
    verb: Literal["answer"] = "answer"
    message: Text
    channel: Channel | None = Field(None, description="Defaults to the channel it came in by.")


class RecordSatisfaction(ProblemCommand):
    """回访: what the reporter said of the outcome they were told."""

    verb: Literal["satisfaction"] = "satisfaction"
    satisfaction: Satisfaction
    note: Text | None = None


StaffCommand = Annotated[
    Triage
    | Assign
    | Propose
    | ConfirmProposal
    | ReturnProposal
    | NoteProgress
    | ExtendDeadline
    | RequestExtension
    | ApproveExtension
    | RefuseExtension
    | SubmitFix
    | VerifyFix
    | Close
    | Reopen
    | AnswerReporter
    | RecordSatisfaction,
    Field(discriminator="verb"),
]

COMMAND_ADAPTER: TypeAdapter[StaffCommand] = TypeAdapter(StaffCommand)

COMMAND_VERBS: tuple[str, ...] = (
    "triage",
    "assign",
    "propose",
    "confirm",
    "return",
    "progress",
    "extend",
    "request-extension",
    "approve-extension",
    "refuse-extension",
    "submit-fix",
    "verify",
    "close",
    "reopen",
    "answer",
    "satisfaction",
)


class UnitCommand(CleanInput):
    """What every command about a unit as a whole says: which unit, who asks, at which version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    verb: str
    unit: Name
    actor: Name
    via: Via = Via.CLI
    expected_version: int | None = Field(
        None, ge=0, description="Refuse unless the unit's record is still at this version."
    )


class SubmitFiling(UnitCommand):
    verb: Literal["file"] = "file"
    filing: Filing
    phone: Phone | None = None
    filed_by: Name | None = Field(None, description="填报人, if not the one sending this.")
    filed_on: date | None = Field(None, description="填报时间, if not today.")


class SelectForSpotCheck(UnitCommand):
    verb: Literal["spot-check"] = "spot-check"
    reason: Text
    seed: int | None = Field(None, description="The random draw that chose the unit.")


class RecordSpotCheck(UnitCommand):
    """抽查结果: method, findings and result of a unit's spot check, with the problems filed."""

    verb: Literal["spot-check-result"] = "spot-check-result"
    methods: tuple[SpotCheckMethod, ...] = Field(min_length=1)
    findings: Text
    result: SpotCheckResult
    conclusion: Text | None = None
    problems: tuple[UUID, ...] = ()


class AdoptMechanism(UnitCommand):
    """建章立制: record a rule, procedure or mechanism the unit adopted."""

    verb: Literal["mechanism"] = "mechanism"
    title: Text
    kind: MechanismKind
    adopted_on: date
    document: Text | None = None
    problems: tuple[UUID, ...] = ()
    categories: tuple[Category, ...] = ()


class FilePlan(UnitCommand):
    """整改方案 / 工作方案: record (or revise) a unit's plan."""

    verb: Literal["plan"] = "plan"
    kind: PlanKind
    title: Text
    adopted_on: date
    document: Text | None = None
    content: Text
    goals: Text
    measures: Text
    schedule: Text
    responsible: Text


UnitCommandModel = Annotated[
    SubmitFiling | SelectForSpotCheck | RecordSpotCheck | AdoptMechanism | FilePlan,
    Field(discriminator="verb"),
]

UNIT_COMMAND_ADAPTER: TypeAdapter[UnitCommandModel] = TypeAdapter(UnitCommandModel)

UNIT_COMMAND_VERBS: tuple[str, ...] = ("file", "spot-check", "spot-check-result", "mechanism",
                                       "plan")


class ErrorInfo(BaseModel):
    """Why a command or submission was refused, in both languages, with a stable code."""

    model_config = ConfigDict(frozen=True)

    code: str
    zh: str
    en: str


class Reply(BaseModel):
    """The answer to a command: ok with the problem's new version, or the reason for refusal."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    problem_id: UUID | None = None
    unit: str | None = None
    version: int | None = None
    units: list[str] | None = Field(None, description="The units a circular to all units "
                                                       "reached, one copy each.")
    error: ErrorInfo | None = None
