"""执法问题: the Problem aggregate, which decides what may happen to a problem and records it.

Every command method checks its rules with small named checks, then records one fact from
``events.lifecycle``; ``_evolve`` is the only place state changes, so replaying the recorded
facts rebuilds exactly the same problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Self
from uuid import UUID

from events.identity import problem_id_for
from events.lifecycle import (
    AnswerDelivered,
    AnswerDeliveryFailed,
    DeadlineExtended,
    ExtensionRefused,
    ExtensionRequested,
    FixSentBack,
    FixSubmitted,
    FixVerified,
    Milestone,
    MilestoneCompleted,
    ProblemClosed,
    ProblemDeclined,
    ProblemEvent,
    ProblemLinkedAsDuplicate,
    ProblemReopened,
    ProblemReported,
    ProblemTriaged,
    ProgressNoted,
    ProposalReturned,
    RectificationAssigned,
    RectificationProposed,
    Reporter,
    ReporterAnswered,
    SatisfactionRecorded,
)
from events.notices import NoticeIssued, NoticeRead, NoticeResponded, ResponseOverdue
from events.status import status_after
from events.submission import IntakeSubmission
from events.supervision import DeadlineWarningRaised, ReboundSuspected
from events.vocabulary import (
    AnswerRoute,
    Category,
    Channel,
    Notice,
    Plan,
    Satisfaction,
    Trigger,
    TypicalReason,
    Via,
    WarningLevel,
    Watched,
)
from events.vocabulary import ProblemStatus as Status
from services.casework.answers import Answers, Outcome
from services.casework.campaign_rules import CampaignRules
from services.casework.errors import (
    DeadlineError,
    DuplicateLinkError,
    ExtensionRequestError,
    MilestoneError,
    NoFixSubmittedError,
    NoReporterError,
    NotVerifiedError,
    ProblemClosedError,
    ProposalIncompleteError,
    ReasonRequiredError,
    ReporterNotAnsweredError,
    SelfVerificationError,
    WrongStatusError,
)
from services.casework.notices import Notices
from services.casework.proposals import Completion, Proposals
from services.clock import china_date

_BEING_RECTIFIED = frozenset({Status.RECTIFYING})
_BEFORE_ASSIGNMENT = frozenset({Status.REPORTED, Status.TRIAGED})
_SET_ASIDE = frozenset({Status.DECLINED, Status.DUPLICATE})
_OUTCOME_KNOWN = frozenset({Status.VERIFIED, Status.CLOSED}) | _SET_ASIDE
"""Where an answer can state the outcome (解决情况和处理结果): fixed and verified, or set aside."""


@dataclass(frozen=True)
class Act:
    """Who is acting, how, and when: the common part of every recorded fact."""

    actor: str
    via: Via
    at: datetime
    actor_id: str | None = None

    @property
    def who(self) -> str:
        """The person, for separation of duties: the stable id when there is one."""
        return self.actor_id or self.actor


@dataclass(frozen=True)
class Warning:
    """A deadline warning the watchdog found due: what it is about, when, and how serious."""

    warning_id: UUID
    level: WarningLevel
    watched: Watched
    due: date
    milestone: int | None
    working_days_left: int


@dataclass(frozen=True)
class RecordedFact:
    """A fact as the eventsourcing library stores it: the event plus its place in the sequence.

    It satisfies the library's domain-event protocol, so the library's Application, Repository
    and recorders persist and replay Problems; the fact itself is the published event model.
    """

    originator_id: UUID
    originator_version: int
    fact: ProblemEvent

    @property
    def timestamp(self) -> datetime:
        return self.fact.occurred_at

    def mutate(self, aggregate: Problem | None) -> Problem:
        if aggregate is None:
            if not isinstance(self.fact, ProblemReported):
                raise TypeError(f"a problem's history must begin with ProblemReported: {self}")
            return Problem(self.fact)
        aggregate._evolve(self)
        return aggregate


class Problem:
    """One enforcement problem, from report to crossing off (销号)."""

    def __init__(self, reported: ProblemReported) -> None:
        self.id: UUID = reported.problem_id
        self.version = 0
        self.pending_events: list[RecordedFact] = []
        self.unit = reported.unit
        self.channel: Channel = reported.channel
        self.category: Category = reported.category
        self.reporter: Reporter | None = reported.reporter
        self.reported_on: date = reported.occurred_at.date()
        self.status = Status.REPORTED
        self.deadline: date | None = None
        self.plan: Plan | None = None
        self.milestones: tuple[Milestone, ...] = ()
        self.completed_milestones: set[int] = set()
        self.fix_submitted_by: str | None = None
        self.extension_request: ExtensionRequested | None = None
        self.extension_request_version: int | None = None
        """The unit's request for a later deadline waiting for its leader (at most one)."""
        self.answerable = reported.channel.answers_reporter(reported.reporter is not None)
        """Whether someone is owed an answer: a public reporter, or a named 行政相对人."""
        self.answers = Answers()
        self.proposals = Proposals()
        self.campaign_rules = CampaignRules()
        """The campaign's limits on plans; casework sets them before each command."""
        self.enterprise: str | None = reported.enterprise
        self.notices = Notices()
        self.created_on = self.modified_on = reported.occurred_at
        self._evolve(RecordedFact(self.id, 1, reported))

    # ----------------------------------------------------------------- creation

    @classmethod
    def report(cls, submission: IntakeSubmission, via: Via = Via.INTAKE,
               actor_id: str | None = None) -> Self:
        """问题收集: a new problem from an intake submission (``actor_id``: the filer as
        casework verified them; none for the public)."""
        reported = ProblemReported(
            problem_id=problem_id_for(submission.channel, submission.intake_id),
            unit=submission.unit,
            actor=submission.actor,
            actor_id=actor_id,
            on_behalf_of=submission.filed_for,
            occurred_at=submission.submitted_at,
            via=via,
            channel=submission.channel,
            intake_id=submission.intake_id,
            category=submission.category,
            problem=submission.problem,
            case=submission.case,
            reporter=submission.reporter,
            enterprise=submission.enterprise,
            evidence=submission.evidence,
        )
        problem = cls(reported)
        problem.pending_events.append(RecordedFact(problem.id, 1, reported))
        return problem

    # ----------------------------------------------------------------- commands

    def triage(self, act: Act, category: Category | None, root_cause: str | None,
               typical: bool, cause: str | None = None,
               typical_reasons: tuple[TypicalReason, ...] = ()) -> None:
        """分类研判、剖析原因: confirm or correct the category, note the cause (one of the
        campaign's, and in words), flag a typical case by the notice's criterion."""
        self._check_before_assignment("研判", "triage")
        self._check_cause(cause)
        typical = typical or bool(typical_reasons)
        if typical and not typical_reasons:
            raise ReasonRequiredError(
                "典型案件须说明依据：事关人民群众切身利益、社会影响较大或群众关注度较高",
                "a typical case needs the notice's criterion: vital interests, social impact "
                "or public attention")
        self._record(ProblemTriaged, act, category=category or self.category,
                     previous_category=self.category, root_cause=root_cause, typical=typical,
                     cause=cause, typical_reasons=typical_reasons)

    def link_duplicate(self, act: Act, duplicate_of: UUID) -> None:
        self._check_before_assignment("关联重复问题", "link as a duplicate")
        if duplicate_of == self.id:
            raise DuplicateLinkError("问题不能与自身重复", "a problem cannot duplicate itself")
        self._record(ProblemLinkedAsDuplicate, act, duplicate_of=duplicate_of)

    def decline(self, act: Act, reason: str) -> None:
        self._check_before_assignment("不予受理", "decline")
        self._check_reason(reason)
        self._record(ProblemDeclined, act, reason=reason)

    def assign(self, act: Act, leader: str, department: str, measures: str, deadline: date,
               immediate: bool, milestones: tuple[Milestone, ...]) -> None:
        """四定: name the leader and department, the measures and the deadline."""
        self._check_not_closed("交办整改", "assign")
        self._check_not_set_aside("交办整改", "assign")
        if self.status not in _BEFORE_ASSIGNMENT | _BEING_RECTIFIED:
            raise self._wrong_status("交办整改", "assign")
        self._check_deadline_not_before_report(deadline)
        self._check_milestones(immediate, milestones, deadline)
        self._check_immediate_within_phase(act, immediate, deadline)
        plan = Plan.IMMEDIATE if immediate else Plan.ROADMAP
        self._record(RectificationAssigned, act, leader=leader, department=department,
                     measures=measures, deadline=deadline, plan=plan, milestones=milestones)

    def propose(self, act: Act, proposed_by: str, leader: str | None, department: str | None,
                measures: str | None, deadline: date | None, deadline_as_written: str | None,
                immediate: bool) -> None:
        """各单位制定整改方案: the unit proposes its four determinations for the office.

        Kept as the unit wrote them; the office's confirmation checks them like an assignment.
        """
        self._check_before_assignment("提出整改方案", "propose a rectification for")
        if not any((leader, department, measures, deadline, deadline_as_written)):
            raise ProposalIncompleteError("整改方案（四定）一项也没有填写",
                                          "the proposal names none of the four determinations")
        proposal: dict[str, object] = {
            "proposed_by": proposed_by, "leader": leader, "department": department,
            "measures": measures, "deadline": deadline,
            "deadline_as_written": deadline_as_written,
            "plan": Plan.IMMEDIATE if immediate else Plan.ROADMAP}
        self.proposals.check_new(proposal)
        self._record(RectificationProposed, act, **proposal)

    def confirm_proposal(self, act: Act, completion: Completion) -> None:
        """The office confirms the unit's proposal, completing what the unit left blank."""
        self._check_before_assignment("确认整改方案", "confirm the proposal for")
        _, version = self.proposals.check_pending()
        decided = self.proposals.confirmed(completion)
        self._check_deadline_not_before_report(decided.deadline)
        self._check_milestones(decided.immediate, decided.milestones, decided.deadline)
        self._check_immediate_within_phase(act, decided.immediate, decided.deadline)
        self._record(RectificationAssigned, act, leader=decided.leader,
                     department=decided.department, measures=decided.measures,
                     deadline=decided.deadline,
                     plan=Plan.IMMEDIATE if decided.immediate else Plan.ROADMAP,
                     milestones=decided.milestones, proposal_version=version)

    def return_proposal(self, act: Act, reason: str) -> None:
        """The office sends the unit's proposal back, saying why."""
        _, version = self.proposals.check_pending()
        self._check_reason(reason)
        self._record(ProposalReturned, act, proposal_version=version, reason=reason)

    def note_progress(self, act: Act, note: str) -> None:
        self._check_being_rectified("记录进展", "note progress")
        self._record(ProgressNoted, act, note=note)

    def complete_milestone(self, act: Act, milestone: int, note: str) -> None:
        self._check_being_rectified("完成节点", "complete a milestone")
        if not 1 <= milestone <= len(self.milestones):
            raise MilestoneError(
                f"整改路线图没有第 {milestone} 个节点（共 {len(self.milestones)} 个）",
                f"the roadmap has no milestone {milestone} (it has {len(self.milestones)})",
            )
        if milestone in self.completed_milestones:
            raise MilestoneError(f"第 {milestone} 个节点已经完成", f"milestone {milestone} is done")
        self._record(MilestoneCompleted, act, milestone=milestone, note=note)

    def extend_deadline(self, act: Act, deadline: date, reason: str, approved_by: str) -> None:
        self._check_being_rectified("延期", "extend the deadline")
        self._check_reason(reason)
        if not approved_by.strip():
            raise ReasonRequiredError("延期须有批准人", "an extension needs an approver")
        self._check_later(deadline)
        self._record(DeadlineExtended, act, previous_deadline=self.deadline, deadline=deadline,
                     reason=reason, approved_by=approved_by)

    def request_extension(self, act: Act, deadline: date, reason: str) -> None:
        """申请延期: the unit asks; its leader approves or refuses (one request at a time)."""
        self._check_being_rectified("申请延期", "request an extension")
        self._check_reason(reason)
        if self.extension_request is not None:
            raise ExtensionRequestError(
                f"已有延期申请（至 {self.extension_request.deadline}）待单位负责人审批",
                f"an extension to {self.extension_request.deadline} is already waiting for "
                "the unit's leader")
        self._check_later(deadline)
        self._record(ExtensionRequested, act, current_deadline=self.deadline, deadline=deadline,
                     reason=reason)

    def approve_extension(self, act: Act) -> None:
        """The leader approves the pending request; not the person who asked for it. The new
        deadline may lie beyond the rectification phase even for 立行立改: approval is what
        the notice requires for that."""
        request, version = self._pending_extension("批准", "approve")
        self._check_being_rectified("批准延期", "approve an extension")
        if act.who == (request.actor_id or request.actor):
            raise SelfVerificationError(
                f"延期由 {request.actor} 申请，须由单位其他负责人批准",
                f"{request.actor} asked for this extension, so someone else must approve it")
        self._check_later(request.deadline)
        self._record(DeadlineExtended, act, previous_deadline=self.deadline,
                     deadline=request.deadline, reason=request.reason, approved_by=act.actor,
                     request_version=version)

    def refuse_extension(self, act: Act, reason: str) -> None:
        _, version = self._pending_extension("拒绝", "refuse")
        self._check_reason(reason)
        self._record(ExtensionRefused, act, request_version=version, reason=reason)

    def _pending_extension(self, zh: str, en: str) -> tuple[ExtensionRequested, int]:
        if self.extension_request is None or self.extension_request_version is None:
            raise ExtensionRequestError(f"没有待审批的延期申请，无从{zh}",
                                        f"no extension request is waiting to {en}")
        return self.extension_request, self.extension_request_version

    def _check_later(self, deadline: date) -> None:
        assert self.deadline is not None  # set by assignment, which rectifying implies
        if deadline <= self.deadline:
            raise DeadlineError(
                f"新的整改时限 {deadline} 须晚于原时限 {self.deadline}",
                f"the new deadline {deadline} must be after the current one, {self.deadline}",
            )

    def submit_fix(self, act: Act, summary: str, evidence: tuple[str, ...]) -> None:
        self._check_being_rectified("提交整改结果", "submit a fix")
        self._record(FixSubmitted, act, summary=summary, evidence=evidence)

    def verify_fix(self, act: Act) -> None:
        """验收: someone other than the submitter accepts the fix."""
        self._check_fix_submitted("验收", "verify a fix on")
        if act.who == self.fix_submitted_by:
            raise SelfVerificationError(
                f"整改结果由 {act.actor} 提交，须由其他人验收",
                f"{act.actor} submitted this fix, so someone else must verify it",
            )
        self._record(FixVerified, act)

    def send_back(self, act: Act, reason: str) -> None:
        self._check_fix_submitted("退回", "send back a fix on")
        self._check_reason(reason)
        self._record(FixSentBack, act, reason=reason)

    def close(self, act: Act) -> None:
        """销号: cross off a verified problem."""
        self._check_not_closed("销号", "close")
        if self.status is not Status.VERIFIED:
            raise NotVerifiedError(
                f"问题尚未验收（当前：{self.status.label('zh')}），不能销号",
                f"the fix has not been verified (status: {self.status.label('en')}), "
                "so the problem cannot be closed",
            )
        self._check_outcome_answered()
        if act.who == self.fix_submitted_by:
            raise SelfVerificationError(
                f"整改结果由 {act.actor} 提交，须由其他人销号",
                f"{act.actor} submitted this fix, so someone else must close the problem",
            )
        self._record(ProblemClosed, act)

    def reopen(self, act: Act, reason: str) -> None:
        if self.status is not Status.CLOSED:
            raise self._wrong_status("重新打开", "reopen")
        self._check_reason(reason)
        self._record(ProblemReopened, act, reason=reason)

    def answer_reporter(self, act: Act, message: str, channel: Channel | None) -> None:
        """件件有回音: answer the reporter, by default through their own channel.

        Once the fix is verified or the report set aside, the answer states the outcome; before
        that it is a progress reply.
        """
        self._check_answerable()
        outcome = self.status in _OUTCOME_KNOWN
        if outcome:
            self.answers.check_can_answer()
        self._record(ReporterAnswered, act, message=message, outcome=outcome,
                     channel=channel or self._answer_channel())

    def record_satisfaction(self, act: Act, satisfaction: Satisfaction,
                            note: str | None) -> None:
        """回访: the reporter's satisfaction with the outcome; 不满意 reopens a closed problem."""
        self._check_answerable()
        answer_version = self.answers.check_can_rate()
        self._record(SatisfactionRecorded, act, satisfaction=satisfaction,
                     answer_version=answer_version, note=note)
        if satisfaction is Satisfaction.DISSATISFIED and self.status is Status.CLOSED:
            said = f"：{note}" if note else ""
            self._record(ProblemReopened, act, reason=f"举报人对处理结果不满意{said}")

    def record_delivery(self, act: Act, answer_version: int, route: AnswerRoute,
                        reference: str | None) -> None:
        """答复已送达: the answer recorded at ``answer_version`` reached the reporter."""
        self.answers.check_can_record_delivery(answer_version)
        self._record(AnswerDelivered, act, answer_version=answer_version, route=route,
                     reference=reference, channel=self.answers.channel_of(answer_version))

    def record_delivery_failure(self, act: Act, answer_version: int, route: AnswerRoute | None,
                                code: str, reason: str, reason_en: str) -> None:
        """答复未能送达: the channel refused the answer for good, or there is no way to send it."""
        self.answers.check_can_record_delivery(answer_version)
        self._record(AnswerDeliveryFailed, act, answer_version=answer_version, route=route,
                     code=code, reason=reason, reason_en=reason_en,
                     channel=self.answers.channel_of(answer_version))

    def issue_notice(self, act: Act, notice: Notice, reason: str, due: date | None,
                     triggers: tuple[Trigger, ...] = ()) -> None:
        """督办 / 通报: the campaign office presses the unit on this problem."""
        self._check_not_closed(notice.label("zh"), f"issue a {notice.label('en')} on")
        self._check_reason(reason)
        self._record(NoticeIssued, act, **self.notices.issue_fields(notice, reason, due,
                                                                    triggers))

    def respond(self, act: Act, notice: Notice, number: int, response: str) -> None:
        """The unit answers an order or circular on this problem."""
        self.notices.check_can_respond(notice, number)
        self._check_reason(response)
        self._record(NoticeResponded, act, notice=notice, number=number, response=response)

    def mark_read(self, act: Act, notice: Notice, number: int) -> None:
        """已阅: the unit has read an order or circular on this problem."""
        self.notices.check_can_read(notice, number)
        self._record(NoticeRead, act, notice=notice, number=number)

    def warn(self, act: Act, warning: Warning) -> None:
        """预警: a deadline or milestone warning, recorded once for each date and level."""
        self.notices.check_not_warned(warning.warning_id)
        self._check_being_rectified("预警", "warn about")
        self._record(DeadlineWarningRaised, act, warning_id=warning.warning_id,
                     level=warning.level, watched=warning.watched, due=warning.due,
                     milestone=warning.milestone,
                     working_days_left=warning.working_days_left)

    def flag_response_overdue(self, act: Act, warning_id: UUID, notice: Notice,
                              number: int) -> None:
        """督办逾期: an order or circular passed its due date without a response."""
        self.notices.check_not_warned(warning_id)
        self.notices.check_can_respond(notice, number)
        due = self.notices.due_of(notice, number)
        if due is None or china_date(act.at) <= due:
            raise DeadlineError(f"第 {number} 号{notice.label('zh')}尚未到回复期限",
                                f"{notice.label('en')} {number} is not past its due date")
        self._record(ResponseOverdue, act, warning_id=warning_id, notice=notice, number=number,
                     due=due)

    def suspect_rebound(self, act: Act, closed_problem: UUID, closed_on: date) -> None:
        """反弹: this report repeats a problem closed recently; propose reopening that one."""
        self._record(ReboundSuspected, act, closed_problem=closed_problem, closed_on=closed_on,
                     days_since_closed=(self.reported_on - closed_on).days)
    # ------------------------------------------------------------ named checks

    def _check_not_closed(self, action_zh: str, action_en: str) -> None:
        if self.status is Status.CLOSED:
            raise ProblemClosedError(
                f"问题已销号，不能{action_zh}", f"the problem is closed: cannot {action_en} it"
            )

    def _check_not_set_aside(self, action_zh: str, action_en: str) -> None:
        if self.status in _SET_ASIDE:
            raise self._wrong_status(action_zh, action_en)

    def _check_before_assignment(self, action_zh: str, action_en: str) -> None:
        self._check_not_closed(action_zh, action_en)
        if self.status not in _BEFORE_ASSIGNMENT:
            raise self._wrong_status(action_zh, action_en)

    def _check_being_rectified(self, action_zh: str, action_en: str) -> None:
        self._check_not_closed(action_zh, action_en)
        if self.status not in _BEING_RECTIFIED:
            raise self._wrong_status(action_zh, action_en)

    def _check_fix_submitted(self, action_zh: str, action_en: str) -> None:
        self._check_not_closed(action_zh, action_en)
        if self.status is not Status.FIX_SUBMITTED:
            raise NoFixSubmittedError(
                f"尚未提交整改结果（当前：{self.status.label('zh')}），不能{action_zh}",
                f"no fix has been submitted (status: {self.status.label('en')})",
            )

    def _check_outcome_answered(self) -> None:
        if self.answerable and self.answers.current is None:
            raise ReporterNotAnsweredError(
                f"问题来自{self.channel.label('zh')}，须在验收后答复举报人处理结果（件件有回音），"
                "才能销号；此前的答复只是进展答复",
                f"the problem came from {self.channel.label('en')}: answer the reporter with "
                "the outcome (after the fix is verified) before closing; an earlier answer is "
                "only a progress reply")

    def _check_answerable(self) -> None:
        if not self.answerable:
            raise NoReporterError(
                f"问题来自{self.channel.label('zh')}，没有需要答复的举报人或行政相对人",
                f"the problem came from {self.channel.label('en')}: there is no reporter "
                "to answer",
            )

    def _answer_channel(self) -> Channel:
        """A public report is answered where it came from; a visit's or symposium's 行政相对人
        by mail when an address was left, else through the desk (read out, and kept for
        lookup with the tracking number)."""
        if self.channel.is_public:
            return self.channel
        has_mail = self.reporter is not None and self.reporter.masked_email is not None
        return Channel.MAILBOX if has_mail else Channel.HOTLINE

    @staticmethod
    def _check_reason(reason: str) -> None:
        if not reason.strip():
            raise ReasonRequiredError("须说明理由", "a reason is required")

    def _check_deadline_not_before_report(self, deadline: date) -> None:
        if deadline < self.reported_on:
            raise DeadlineError(
                f"整改时限 {deadline} 早于问题登记日期 {self.reported_on}",
                f"the deadline {deadline} is before the problem was reported ({self.reported_on})",
            )

    @staticmethod
    def _check_milestones(immediate: bool, milestones: tuple[Milestone, ...],
                          deadline: date) -> None:
        if immediate and milestones:
            raise MilestoneError("立行立改不设路线图节点", "an on-the-spot fix has no milestones")
        if not immediate and not milestones:
            raise MilestoneError("一时难以整改到位的，须列出时间表、路线图：至少一个节点",
                                 "a roadmap needs at least one milestone")
        late = [m for m in milestones if m.due > deadline]
        if late:
            raise MilestoneError(
                f"节点日期 {late[0].due} 晚于整改时限 {deadline}",
                f"milestone date {late[0].due} is after the deadline {deadline}",
            )

    def _check_cause(self, cause: str | None) -> None:
        known = self.campaign_rules.causes
        if cause is not None and known and cause not in known:
            raise ReasonRequiredError(
                f"“{cause}”不在本次行动的问题成因中（{'、'.join(known)}）；"
                "可在专项整治行动文件的 extra_causes 中补充",
                f"{cause!r} is not one of the campaign's causes ({', '.join(known)}); "
                "add it to extra_causes in the campaign file")

    def _check_immediate_within_phase(self, act: Act, immediate: bool, deadline: date) -> None:
        latest = self.campaign_rules.latest_immediate(china_date(act.at))
        if immediate and latest is not None and deadline > latest:
            raise DeadlineError(
                f"立行立改的整改时限 {deadline} 晚于 {latest}（整改阶段结束）；"
                "一时难以整改到位的请列出时间表、路线图，或经批准延期",
                f"an on-the-spot fix is due by {latest} (end of the rectification phase), not "
                f"{deadline}; make it a roadmap, or extend it with approval")

    def _wrong_status(self, action_zh: str, action_en: str) -> WrongStatusError:
        return WrongStatusError(
            f"问题当前状态为“{self.status.label('zh')}”，不能{action_zh}",
            f"the problem is {self.status.label('en')}: cannot {action_en} it",
        )

    # ------------------------------------------------------------ recording

    def _record(self, event_class: type[Any], act: Act, **fields: Any) -> None:
        fact = event_class(problem_id=self.id, unit=self.unit, actor=act.actor,
                           actor_id=act.actor_id, occurred_at=act.at, via=act.via, **fields)
        recorded = RecordedFact(self.id, self.version + 1, fact)
        self._evolve(recorded)
        self.pending_events.append(recorded)

    def collect_events(self) -> list[RecordedFact]:
        collected, self.pending_events = self.pending_events, []
        return collected

    def _evolve(self, recorded: RecordedFact) -> None:
        fact = recorded.fact
        if (status := status_after(fact)) is not None:
            self.status = status
        match fact:
            case ProblemTriaged():
                self.category = fact.category
            case RectificationProposed():
                self.proposals.proposed(fact, recorded.originator_version)
            case ProposalReturned():
                self.proposals.settled()
            case RectificationAssigned():
                self.proposals.settled()
                self.deadline, self.plan = fact.deadline, fact.plan
                self.milestones, self.completed_milestones = fact.milestones, set()
            case MilestoneCompleted():
                self.completed_milestones.add(fact.milestone)
            case ExtensionRequested():
                self.extension_request = fact
                self.extension_request_version = recorded.originator_version
            case ExtensionRefused():
                self.extension_request = self.extension_request_version = None
            case DeadlineExtended():
                self.deadline = fact.deadline
                if fact.request_version is not None:
                    self.extension_request = self.extension_request_version = None
            case FixVerified():
                # The fix is accepted: the deadline no longer matters, a request lapses.
                self.extension_request = self.extension_request_version = None
            case FixSubmitted():
                self.fix_submitted_by = fact.actor_id or fact.actor
            case ProblemReopened():
                self.answers.reopened()
            case ReporterAnswered():
                self.answers.answered(recorded.originator_version, fact.occurred_at,
                                      fact.channel or self.channel, fact.outcome)
            case SatisfactionRecorded():
                self.answers.rated.add(fact.answer_version)
            case AnswerDelivered():
                self.answers.delivered(fact.answer_version, Outcome.DELIVERED, fact.occurred_at)
            case AnswerDeliveryFailed():
                self.answers.delivered(fact.answer_version, Outcome.FAILED, fact.occurred_at)
            case NoticeIssued() | NoticeRead() | NoticeResponded() | ResponseOverdue():
                self.notices.fold(fact)
            case DeadlineWarningRaised():
                self.notices.warned.add(fact.warning_id)
        self.version = recorded.originator_version
        self.modified_on = fact.occurred_at
