"""Supervision (加强监督指导) as immutable, versioned facts.

Facts about one problem (deadline warnings, a suspected rebound) extend ``ProblemEventBase`` and
belong to ``events.lifecycle.ProblemEvent``. Facts about a unit as a whole (its filings, plans,
mechanisms, its selection for a spot check) extend ``UnitEventBase`` and, with the orders and
circulars of ``events.notices``, form ``UnitEvent``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, TypeAdapter

from events.base import ProblemEventBase, UnitEventBase
from events.notices import NoticeFact, WarningId
from events.text import Name, Phone, Text
from events.upcasting import JsonObject, upcaster
from events.vocabulary import (
    Category,
    Filing,
    MechanismKind,
    PlanKind,
    SpotCheckMethod,
    SpotCheckResult,
    WarningLevel,
    Watched,
)

CHINA_TIME = timezone(timedelta(hours=8))
"""The campaign's days are China's days."""

# ------------------------------------------------------------------------- about one problem


class DeadlineWarningRaised(ProblemEventBase):
    """预警: a deadline is near (blue), a milestone is behind (yellow), or it was missed (red)."""

    type: Literal["DeadlineWarningRaised"] = "DeadlineWarningRaised"
    warning_id: WarningId
    level: WarningLevel
    watched: Watched
    due: date = Field(description="The deadline or milestone date warned about.")
    milestone: int | None = Field(None, ge=1, description="Which milestone, numbered from 1.")
    working_days_left: int = Field(description="Working days from today to the due date; "
                                               "negative once it has passed.")


class ReboundSuspected(ProblemEventBase):
    """反弹: a new report matches a problem closed recently; reopening that one is proposed."""

    type: Literal["ReboundSuspected"] = "ReboundSuspected"
    closed_problem: UUID = Field(description="The recently closed problem this report repeats.")
    closed_on: date
    days_since_closed: int = Field(ge=0)


# --------------------------------------------------------------------------- about one unit


class FilingSubmitted(UnitEventBase):
    """报送: the unit sent its ledger (整改台账) or campaign report to the supervising section.

    Version 2 added ``filed_on`` (填报时间, as the filer dated it: an imported ledger's header
    may name an earlier day than the import); version 1 filings were dated the day recorded.
    """

    type: Literal["FilingSubmitted"] = "FilingSubmitted"
    version: int = 2
    filing: Filing
    filed_by: Name = Field(description="填报人")
    phone: Phone | None = Field(None, description="电话")
    filed_on: date = Field(description="填报时间")


@upcaster("FilingSubmitted", 1)
def _filing_v1_was_dated_the_day_recorded(filing: JsonObject) -> JsonObject:
    recorded_at = datetime.fromisoformat(str(filing["occurred_at"]))
    return {**filing, "filed_on": recorded_at.astimezone(CHINA_TIME).date().isoformat()}


class FilingOverdue(UnitEventBase):
    """逾期未报: the unit's ledger or report was not filed by the campaign's due date."""

    type: Literal["FilingOverdue"] = "FilingOverdue"
    warning_id: WarningId
    filing: Filing
    due: date


class SpotCheckSelected(UnitEventBase):
    """重点抽查: the supervising section chose the unit for a spot check, saying why.

    Version 2 added ``seed``: a unit drawn at random (随机抽查) names the seed of the draw, so
    anyone can draw again and get the same units; version 1 selections were all by choice.
    """

    type: Literal["SpotCheckSelected"] = "SpotCheckSelected"
    version: int = 2
    reason: Text
    seed: int | None = Field(None, description="The random draw's seed; None: chosen.")


@upcaster("SpotCheckSelected", 1)
def _selection_v1_was_chosen(selected: JsonObject) -> JsonObject:
    return {**selected, "seed": None}


class SpotCheckRecorded(UnitEventBase):
    """抽查结果: how the spot check was done, what it found, what it concluded, and the problems
    its findings filed (through intake, as the spot-check channel)."""

    type: Literal["SpotCheckRecorded"] = "SpotCheckRecorded"
    methods: tuple[SpotCheckMethod, ...] = Field(min_length=1, description="抽查方式")
    findings: Text = Field(description="发现的问题和情况")
    result: SpotCheckResult = Field(description="抽查结论")
    conclusion: Text | None = Field(None, description="结论的说明")
    problems: tuple[UUID, ...] = Field((), description="The problems the findings filed.")


class MechanismAdopted(UnitEventBase):
    """建章立制: the unit adopted a rule, procedure or lasting mechanism (长效机制) so that the same
    problems do not recur, naming the problems and categories it answers."""

    type: Literal["MechanismAdopted"] = "MechanismAdopted"
    title: Text = Field(description="The rule's or mechanism's name.")
    kind: MechanismKind
    adopted_on: date = Field(description="印发或施行日期")
    document: Text | None = Field(None, description="文号: the document adopting it.")
    problems: tuple[UUID, ...] = Field((), description="The problems it answers.")
    categories: tuple[Category, ...] = Field((), description="The kinds of problem it answers.")


class PlanFiled(UnitEventBase):
    """整改方案 / 工作方案: the unit's plan, with the parts the notice names (整治的具体内容、
    目标要求、工作措施、进度安排、责任单位和责任人). Filed again, it is the revised plan."""

    type: Literal["PlanFiled"] = "PlanFiled"
    kind: PlanKind
    title: Text
    adopted_on: date = Field(description="印发日期")
    document: Text | None = Field(None, description="文号")
    content: Text = Field(description="整治的具体内容")
    goals: Text = Field(description="目标要求")
    measures: Text = Field(description="工作措施")
    schedule: Text = Field(description="进度安排")
    responsible: Text = Field(description="责任单位和责任人")


UnitFact = (
    FilingSubmitted
    | FilingOverdue
    | SpotCheckSelected
    | SpotCheckRecorded
    | MechanismAdopted
    | PlanFiled
    | NoticeFact
)
"""Any fact recorded on a unit (a plain union: ``events.recorded`` joins it with the problem's)."""

UnitEvent = Annotated[UnitFact, Field(discriminator="type")]
"""Any fact about a unit as a whole, told apart by its ``type``."""

UNIT_EVENT_TYPES: tuple[type[UnitEventBase], ...] = (
    FilingSubmitted,
    FilingOverdue,
    SpotCheckSelected,
    SpotCheckRecorded,
    MechanismAdopted,
    PlanFiled,
)
"""The facts only a unit records; with ``NOTICE_EVENT_TYPES``, all a unit may record."""

_UNIT_ADAPTER: TypeAdapter[UnitEvent] = TypeAdapter(UnitEvent)


def parse_unit_event(data: bytes | str) -> UnitEvent:
    """Decode one unit fact from its JSON, as stored and as published."""
    return _UNIT_ADAPTER.validate_json(data)
