"""The casework application: load a problem, call one command on it, save. Nothing else.

Persistence is the eventsourcing library's: SQLite by default, PostgreSQL when configured,
each save one atomic transaction with optimistic concurrency on the problem's version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper, RecordConflictError

from events.commands import (
    AdoptMechanism,
    AnswerReporter,
    ApproveExtension,
    Assign,
    Close,
    ConfirmProposal,
    ExtendDeadline,
    FilePlan,
    NoteProgress,
    ProblemCommand,
    Propose,
    RecordSatisfaction,
    RecordSpotCheck,
    RefuseExtension,
    Reopen,
    RequestExtension,
    ReturnProposal,
    SelectForSpotCheck,
    SubmitFiling,
    SubmitFix,
    Triage,
    UnitCommand,
    VerifyFix,
)
from events.identity import problem_id_for, unit_id_for
from events.lifecycle import ProblemEvent
from events.notice_commands import IssueNotice, MarkNoticeRead, NoticeCommand, RespondToNotice
from events.submission import IntakeSubmission
from events.supervision import UnitEvent
from events.vocabulary import Via
from services.casework.campaign_rules import CampaignRules
from services.casework.errors import (
    NotACampaignUnitError,
    ProblemNotFoundError,
    VersionConflictError,
)
from services.casework.mapper import FactMapper
from services.casework.problem import Act, Problem, RecordedFact
from services.casework.proposals import Completion
from services.casework.rebound import ReboundIndex
from services.casework.tracking import TrackingIndex
from services.casework.unit import Unit, UnitFact
from services.casework.units import UnitDirectory
from services.clock import Clock, china_date, system_clock

REBOUND_ACTOR = "系统比对"
"""Who records a suspected rebound: casework itself, on filing."""

PAGE = 1000


@dataclass(frozen=True)
class Filed:
    """The outcome of one submission: the problem it is, and whether it was new."""

    problem_id: UUID
    created: bool


class Casework(Application[UUID]):
    """案件办理: turns submissions into problems and staff commands into recorded facts."""

    name = "rectify"

    def __init__(self, env: dict[str, str] | None = None, clock: Clock = system_clock,
                 tracking_key: bytes | None = None) -> None:
        """``tracking_key``: the reporter key's tracking subkey, to find problems by the
        tracking numbers the gateways gave (none: no lookup finds anything)."""
        super().__init__(env)
        self.clock = clock
        self.indexed = 0
        """The last notification the indexes below took in: they follow the log together."""
        self.rebound = ReboundIndex()
        self.tracking = TrackingIndex(tracking_key)
        self.units = UnitDirectory("")
        """Where reports are placed; ``rectify up`` gives it the campaign's units."""
        self.campaign_rules = CampaignRules()
        """The campaign's limits on plans (the supervision part sets its dates)."""

    def construct_mapper(self) -> Mapper[UUID]:
        return FactMapper(
            transcoder=self.factory.transcoder(),
            cipher=self.factory.cipher(),
            compressor=self.factory.compressor(),
        )

    # ----------------------------------------------------------------- intake

    def file(self, submissions: Sequence[IntakeSubmission],
             actor_ids: Mapping[UUID, str] | None = None) -> list[Filed]:
        """File many submissions in one transaction; one already on record is not filed again.
        ``actor_ids``: by problem id, the filer casework verified (none for the public).

        Usually none is on record yet, so the batch is inserted without first asking: the store's
        uniqueness of (problem, version 1) refuses the whole transaction if one is, and only then
        is each looked up (a redelivered batch, or a submission re-sent after the NATS window).
        """
        first: dict[UUID, IntakeSubmission] = {}
        outcomes: list[Filed] = []
        ids = actor_ids or {}
        submissions = [self.units.place(s) for s in submissions]
        for submission in submissions:
            problem_id = problem_id_for(submission.channel, submission.intake_id)
            outcomes.append(Filed(problem_id, created=problem_id not in first))
            first.setdefault(problem_id, submission)
        self.catch_up_indexes()
        try:
            self.save(*(self._reported(s, ids.get(pid)) for pid, s in first.items()))
        except IntegrityError:
            pass
        else:
            return outcomes
        new = {pid for pid in first if not self.exists(pid)}
        try:
            self.save(*(self._reported(first[pid], ids.get(pid)) for pid in new))
        except IntegrityError:
            # Another writer filed one of them meanwhile: file one by one.
            return [self._file_one(s, ids.get(f.problem_id))
                    for s, f in zip(submissions, outcomes, strict=True)]
        return [Filed(f.problem_id, f.created and f.problem_id in new) for f in outcomes]

    def _reported(self, submission: IntakeSubmission, actor_id: str | None) -> Problem:
        """The new problem, marked as a suspected rebound if it repeats one closed recently."""
        problem = Problem.report(submission, actor_id=actor_id)
        rebound = self.rebound.match(submission.unit, submission.category.value,
                                     submission.enterprise, problem.reported_on)
        if rebound is not None:
            act = Act(REBOUND_ACTOR, Via.SYSTEM, submission.submitted_at)
            problem.suspect_rebound(act, rebound.closed_problem, rebound.closed_on)
        return problem

    def catch_up_indexes(self) -> None:
        """Read what was recorded (by this casework or another on the same store) since the
        indexes last looked."""
        mapper = self.mapper
        assert isinstance(mapper, FactMapper)
        while True:
            page = self.recorder.select_notifications(self.indexed + 1, PAGE)
            for notification in page:
                self.rebound.apply(mapper.unseal(notification.state))
                self.tracking.apply(notification)
                self.indexed = notification.id
            if len(page) < PAGE:
                return

    def find_tracked(self, code: str) -> UUID | None:
        """The problem whose tracking number has these 8 characters, once it is filed."""
        self.catch_up_indexes()
        return self.tracking.find(code)

    def _file_one(self, submission: IntakeSubmission, actor_id: str | None) -> Filed:
        self.catch_up_indexes()
        problem = self._reported(submission, actor_id)
        try:
            self.save(problem)
        except IntegrityError:
            return Filed(problem.id, created=False)
        return Filed(problem.id, created=True)

    def exists(self, problem_id: UUID) -> bool:
        return any(True for _ in self.recorder.select_events(problem_id, limit=1))

    # --------------------------------------------------------------- commands

    def handle(self, command: ProblemCommand, actor_id: str | None = None) -> int:
        """Apply one staff command (by the person ``actor_id``); returns the new version."""
        problem = self.get_problem(command.problem_id)
        if command.expected_version is not None and command.expected_version != problem.version:
            raise VersionConflictError(
                f"问题已被他人更新（当前版本 {problem.version}，"
                f"你看到的是 {command.expected_version}），请刷新后重试",
                f"the problem changed meanwhile (version {problem.version}, you expected "
                f"{command.expected_version}); reload and try again",
            )
        act = Act(actor=command.actor, via=command.via, at=self.clock(), actor_id=actor_id)
        problem.campaign_rules = self.campaign_rules
        _HANDLERS[type(command)](problem, command, act)
        try:
            self.save(problem)
        except RecordConflictError as conflict:
            raise VersionConflictError(
                "问题已被他人同时更新，请刷新后重试",
                "the problem was changed by someone else at the same time; reload and try again",
            ) from conflict
        return problem.version

    def handle_unit(self, command: UnitCommand, actor_id: str | None = None) -> int:
        """Apply one command about a unit as a whole (by ``actor_id``); returns its version."""
        unit = self.get_unit(command.unit)
        if command.expected_version is not None and command.expected_version != unit.version:
            raise VersionConflictError(
                f"单位记录已被他人更新（当前版本 {unit.version}，你看到的是 "
                f"{command.expected_version}），请刷新后重试",
                f"the unit's record changed meanwhile (version {unit.version}, you expected "
                f"{command.expected_version}); reload and try again",
            )
        act = Act(actor=command.actor, via=command.via, at=self.clock(), actor_id=actor_id)
        _UNIT_HANDLERS[type(command)](unit, command, act)
        try:
            self.save(unit)
        except (RecordConflictError, IntegrityError) as conflict:
            raise VersionConflictError(
                "单位记录已被他人同时更新，请刷新后重试",
                "the unit's record was changed by someone else at the same time; try again",
            ) from conflict
        return unit.version

    def handle_notice(self, command: NoticeCommand, actor_id: str | None = None) -> int:
        """Apply one order or circular command to its target, a problem or a unit; returns the
        target's new version."""
        act = Act(actor=command.actor, via=command.via, at=self.clock(), actor_id=actor_id)
        target: Problem | Unit = self.get_problem(command.problem_id) \
            if command.problem_id is not None else self.get_unit(command.unit or "")
        _NOTICE_HANDLERS[type(command)](target, command, act)
        self._save_notice(target)
        return target.version

    def circulate_to_all(self, command: IssueNotice, units: Sequence[str],
                         actor_id: str | None = None) -> list[str]:
        """通报全体单位: one copy of the circular to each unit, in one transaction; the named
        responders owe a response by its due date, the others only read it."""
        unknown = [name for name in command.responders if name not in units]
        if unknown:
            raise NotACampaignUnitError(f"回复单位不是本次行动的单位：{'、'.join(unknown)}",
                                        f"not units of the campaign: {', '.join(unknown)}")
        act = Act(actor=command.actor, via=command.via, at=self.clock(), actor_id=actor_id)
        broadcast = uuid4()
        copies = [self.get_unit(name) for name in units]
        for unit in copies:
            unit.issue_notice(act, command.notice, command.reason, command.due, command.triggers,
                              broadcast, response_required=unit.name in command.responders)
        self._save_notice(*copies)
        return [unit.name for unit in copies]

    def _save_notice(self, *targets: Problem | Unit) -> None:
        try:
            self.save(*targets)
        except (RecordConflictError, IntegrityError) as conflict:
            raise VersionConflictError(
                "记录已被他人同时更新，请重试",
                "the record was changed by someone else at the same time; try again",
            ) from conflict

    def get_unit(self, name: str) -> Unit:
        """The unit's record; a unit nothing was recorded about yet starts empty."""
        try:
            unit: Unit = self.repository.get(unit_id_for(name))
        except AggregateNotFoundError:
            return Unit(name)
        return unit

    def today(self) -> date:
        """Today in China, by this application's clock."""
        return china_date(self.clock())

    def get_problem(self, problem_id: UUID) -> Problem:
        try:
            problem: Problem = self.repository.get(problem_id)
        except AggregateNotFoundError:
            raise ProblemNotFoundError(
                f"找不到问题 {problem_id}", f"no problem with id {problem_id}"
            ) from None
        return problem

    # ---------------------------------------------------------------- reading

    def history(self, problem_id: UUID) -> list[ProblemEvent]:
        """Every recorded fact of one problem, in order."""
        facts: Iterable[Any] = self.events.get(problem_id)
        history = [recorded.fact for recorded in facts if isinstance(recorded, RecordedFact)]
        if not history:
            raise ProblemNotFoundError(f"找不到问题 {problem_id}",
                                       f"no problem with id {problem_id}")
        return history

    def unit_history(self, name: str) -> list[UnitEvent]:
        """Every recorded fact about a unit as a whole, in order (none: an empty list)."""
        facts: Iterable[Any] = self.events.get(unit_id_for(name))
        return [recorded.fact for recorded in facts if isinstance(recorded, UnitFact)]

    def position(self) -> int:
        """The notification id of the last recorded event (0 when none)."""
        return self.recorder.max_notification_id() or 0


def _triage(problem: Problem, command: Any, act: Act) -> None:
    c: Triage = command
    if c.decline_reason is not None:
        problem.decline(act, c.decline_reason)
    elif c.duplicate_of is not None:
        problem.link_duplicate(act, c.duplicate_of)
    else:
        problem.triage(act, c.category, c.root_cause, c.typical, c.cause, c.typical_reasons)


def _assign(problem: Problem, command: Any, act: Act) -> None:
    c: Assign = command
    problem.assign(act, c.leader, c.department, c.measures, c.deadline, c.immediate, c.milestones)


def _propose(problem: Problem, command: Any, act: Act) -> None:
    c: Propose = command
    problem.propose(act, c.proposed_by or c.actor, c.leader, c.department, c.measures,
                    c.deadline, c.deadline_as_written, c.immediate)


def _confirm(problem: Problem, command: Any, act: Act) -> None:
    c: ConfirmProposal = command
    problem.confirm_proposal(act, Completion(c.leader, c.department, c.measures, c.deadline,
                                             c.milestones))


def _progress(problem: Problem, command: Any, act: Act) -> None:
    c: NoteProgress = command
    if c.milestone is None:
        problem.note_progress(act, c.note)
    else:
        problem.complete_milestone(act, c.milestone, c.note)


def _verify(problem: Problem, command: Any, act: Act) -> None:
    c: VerifyFix = command
    if c.reject_reason is None:
        problem.verify_fix(act)
    else:
        problem.send_back(act, c.reject_reason)


_HANDLERS: dict[type[ProblemCommand], Callable[[Problem, Any, Act], None]] = {
    Triage: _triage,
    Assign: _assign,
    Propose: _propose,
    ConfirmProposal: _confirm,
    ReturnProposal: lambda p, c, a: p.return_proposal(a, c.reason),
    NoteProgress: _progress,
    ExtendDeadline: lambda p, c, a: p.extend_deadline(a, c.deadline, c.reason, c.approved_by),
    RequestExtension: lambda p, c, a: p.request_extension(a, c.deadline, c.reason),
    ApproveExtension: lambda p, c, a: p.approve_extension(a),
    RefuseExtension: lambda p, c, a: p.refuse_extension(a, c.reason),
    SubmitFix: lambda p, c, a: p.submit_fix(a, c.summary, c.evidence),
    VerifyFix: _verify,
    Close: lambda p, c, a: p.close(a),
    Reopen: lambda p, c, a: p.reopen(a, c.reason),
    AnswerReporter: lambda p, c, a: p.answer_reporter(a, c.message, c.channel),
    RecordSatisfaction: lambda p, c, a: p.record_satisfaction(a, c.satisfaction, c.note),
}

_NOTICE_HANDLERS: dict[type[NoticeCommand], Callable[[Problem | Unit, Any, Act], None]] = {
    IssueNotice: lambda t, c, a: t.issue_notice(a, c.notice, c.reason, c.due, c.triggers),
    RespondToNotice: lambda t, c, a: t.respond(a, c.notice, c.number, c.response),
    MarkNoticeRead: lambda t, c, a: t.mark_read(a, c.notice, c.number),
}
"""One family: the same command, on a problem or on a unit, calls the same method."""

_UNIT_HANDLERS: dict[type[UnitCommand], Callable[[Unit, Any, Act], None]] = {
    SubmitFiling: lambda u, c, a: u.submit_filing(a, c.filing, c.phone, c.filed_by, c.filed_on),
    SelectForSpotCheck: lambda u, c, a: u.select_for_spot_check(a, c.reason, c.seed),
    RecordSpotCheck: lambda u, c, a: u.record_spot_check(a, c.methods, c.findings, c.result,
                                                         c.conclusion, c.problems),
    FilePlan: lambda u, c, a: u.file_plan(a, c.kind, c.title, c.adopted_on, c.document, {
        "content": c.content, "goals": c.goals, "measures": c.measures, "schedule": c.schedule,
        "responsible": c.responsible}),
    AdoptMechanism: lambda u, c, a: u.adopt_mechanism(a, c.title, c.kind, c.adopted_on,
                                                     c.document, c.problems, c.categories),
}
