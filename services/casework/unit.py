"""填报单位: the Unit aggregate, for what concerns a unit as a whole rather than one problem.

Its filings (整改台账, campaign report), the supervision orders and circulars addressed to it
(with their reads and responses), overdue filings and responses, its plans and mechanisms, and
its selection for a spot check. The unit's id
is derived from its name, so its first fact creates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events.identity import unit_id_for
from events.notices import NoticeIssued, NoticeRead, NoticeResponded, ResponseOverdue
from events.supervision import (
    FilingOverdue,
    FilingSubmitted,
    MechanismAdopted,
    PlanFiled,
    SpotCheckRecorded,
    SpotCheckSelected,
    UnitEvent,
)
from events.vocabulary import (
    Category,
    Filing,
    MechanismKind,
    Notice,
    PlanKind,
    SpotCheckMethod,
    SpotCheckResult,
    Trigger,
)
from services.casework.errors import AlreadySelectedError, DeadlineError, ReasonRequiredError
from services.casework.notices import Notices
from services.casework.problem import Act
from services.clock import china_date

_PLAN_PARTS = {"content": "整治的具体内容", "goals": "目标要求", "measures": "工作措施",
               "schedule": "进度安排", "responsible": "责任单位和责任人"}
"""The parts of a plan, as the notice names them."""


@dataclass(frozen=True)
class UnitFact:
    """A unit fact as the eventsourcing library stores it (see ``RecordedFact``)."""

    originator_id: UUID
    originator_version: int
    fact: UnitEvent

    @property
    def timestamp(self) -> datetime:
        return self.fact.occurred_at

    def mutate(self, aggregate: Unit | None) -> Unit:
        unit = aggregate if aggregate is not None else Unit(self.fact.unit)
        unit._evolve(self)
        return unit


class Unit:
    """One unit under supervision: what it filed, what it was ordered, how it answered."""

    def __init__(self, name: str) -> None:
        self.name = name.strip()
        self.id: UUID = unit_id_for(self.name)
        self.version = 0
        self.pending_events: list[UnitFact] = []
        self.filed: dict[Filing, date] = {}
        self.notices = Notices()
        self.selected_for_spot_check = False
        self.created_on: datetime | None = None
        self.modified_on: datetime | None = None

    # ----------------------------------------------------------------- commands

    def submit_filing(self, act: Act, filing: Filing, phone: str | None,
                      filed_by: str | None = None, filed_on: date | None = None) -> None:
        """报送: the unit sent its ledger or its campaign report (again, if it revised it).

        ``filed_by`` and ``filed_on`` are the 填报人 and 填报时间 the unit wrote (an imported
        ledger's header); by default whoever records it, today.
        """
        day = filed_on or china_date(act.at)
        if day > china_date(act.at):
            raise DeadlineError(f"填报时间 {day} 晚于今天",
                                f"the filing date {day} is in the future")
        self._record(FilingSubmitted, act, filing=filing, filed_by=filed_by or act.actor,
                     phone=phone, filed_on=day)

    def issue_notice(self, act: Act, notice: Notice, reason: str, due: date | None,
                     triggers: tuple[Trigger, ...] = (), broadcast: UUID | None = None,
                     response_required: bool = True) -> None:
        """督办 / 通报 addressed to the unit; a copy of a circular to all units names its
        ``broadcast`` and whether this unit owes a response."""
        self._check_reason(reason)
        self._record(NoticeIssued, act, **self.notices.issue_fields(
            notice, reason, due if response_required else None, triggers, broadcast,
            response_required))

    def respond(self, act: Act, notice: Notice, number: int, response: str) -> None:
        self.notices.check_can_respond(notice, number)
        self._check_reason(response)
        self._record(NoticeResponded, act, notice=notice, number=number, response=response)

    def mark_read(self, act: Act, notice: Notice, number: int) -> None:
        """已阅: a member of the unit has read the order or circular."""
        self.notices.check_can_read(notice, number)
        self._record(NoticeRead, act, notice=notice, number=number)

    def select_for_spot_check(self, act: Act, reason: str, seed: int | None = None) -> None:
        """重点抽查: chosen for a spot check, once."""
        self._check_reason(reason)
        if self.selected_for_spot_check:
            raise AlreadySelectedError(f"{self.name} 已被列入重点抽查",
                                       f"{self.name} is already selected for a spot check")
        self._record(SpotCheckSelected, act, reason=reason, seed=seed)

    def record_spot_check(self, act: Act, methods: tuple[SpotCheckMethod, ...], findings: str,
                          result: SpotCheckResult, conclusion: str | None,
                          problems: tuple[UUID, ...]) -> None:
        """抽查结果: how the unit was checked, what was found, what was concluded."""
        if not methods:
            raise ReasonRequiredError("须说明抽查方式", "name how the spot check was done")
        self._check_reason(findings)
        self._record(SpotCheckRecorded, act, methods=methods, findings=findings, result=result,
                     conclusion=conclusion, problems=problems)

    def adopt_mechanism(self, act: Act, title: str, kind: MechanismKind, adopted_on: date,
                        document: str | None, problems: tuple[UUID, ...],
                        categories: tuple[Category, ...]) -> None:
        """建章立制: a rule, procedure or lasting mechanism the unit adopted."""
        self._check_reason(title)
        if adopted_on > china_date(act.at):
            raise DeadlineError(f"施行日期 {adopted_on} 晚于今天",
                                f"the adoption date {adopted_on} is in the future")
        self._record(MechanismAdopted, act, title=title, kind=kind, adopted_on=adopted_on,
                     document=document, problems=problems, categories=categories)

    def file_plan(self, act: Act, kind: PlanKind, title: str, adopted_on: date,
                  document: str | None, parts: dict[str, str]) -> None:
        """整改方案 / 工作方案: the unit's plan with every part the notice names."""
        missing = [name for name, text in parts.items() if not text.strip()]
        if missing:
            raise ReasonRequiredError(
                f"方案缺少：{'、'.join(_PLAN_PARTS.get(m, m) for m in missing)}",
                f"the plan lacks: {', '.join(missing)}")
        if adopted_on > china_date(act.at):
            raise DeadlineError(f"印发日期 {adopted_on} 晚于今天",
                                f"the adoption date {adopted_on} is in the future")
        self._record(PlanFiled, act, kind=kind, title=title, adopted_on=adopted_on,
                     document=document, **parts)

    def flag_filing_overdue(self, act: Act, warning_id: UUID, filing: Filing, due: date) -> None:
        """逾期未报: nothing was filed by the due date."""
        self.notices.check_not_warned(warning_id)
        if filing in self.filed and self.filed[filing] <= due:
            raise DeadlineError(f"{self.name} 已按期报送{filing.label('zh')}",
                                f"{self.name} filed its {filing.label('en')} in time")
        self._check_past(act, due)
        self._record(FilingOverdue, act, warning_id=warning_id, filing=filing, due=due)

    def flag_response_overdue(self, act: Act, warning_id: UUID, notice: Notice,
                              number: int) -> None:
        self.notices.check_not_warned(warning_id)
        self.notices.check_can_respond(notice, number)
        due = self.notices.due_of(notice, number)
        if due is None:
            raise DeadlineError(f"第 {number} 号{notice.label('zh')}没有回复期限",
                                f"{notice.label('en')} {number} has no due date")
        self._check_past(act, due)
        self._record(ResponseOverdue, act, warning_id=warning_id, notice=notice,
                     number=number, due=due)

    # ------------------------------------------------------------ named checks

    @staticmethod
    def _check_reason(reason: str) -> None:
        if not reason.strip():
            raise ReasonRequiredError("须说明理由", "a reason is required")

    @staticmethod
    def _check_past(act: Act, due: date) -> None:
        if china_date(act.at) <= due:
            raise DeadlineError(f"尚未过期限 {due}", f"the due date {due} has not passed")

    # ------------------------------------------------------------ recording

    def _record(self, event_class: type[Any], act: Act, **fields: Any) -> None:
        fact = event_class(unit=self.name, actor=act.actor, actor_id=act.actor_id,
                           occurred_at=act.at, via=act.via,
                           **fields)
        recorded = UnitFact(self.id, self.version + 1, fact)
        self._evolve(recorded)
        self.pending_events.append(recorded)

    def collect_events(self) -> list[UnitFact]:
        collected, self.pending_events = self.pending_events, []
        return collected

    def _evolve(self, recorded: UnitFact) -> None:
        fact = recorded.fact
        match fact:
            case FilingSubmitted():  # lateness goes by when it reached us, not the date written
                self.filed.setdefault(fact.filing, china_date(fact.occurred_at))
            case NoticeIssued() | NoticeRead() | NoticeResponded() | ResponseOverdue():
                self.notices.fold(fact)
            case FilingOverdue():
                self.notices.warned.add(fact.warning_id)
            case SpotCheckSelected():
                self.selected_for_spot_check = True
        self.version = recorded.originator_version
        self.created_on = self.created_on or fact.occurred_at
        self.modified_on = fact.occurred_at
