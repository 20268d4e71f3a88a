"""The Problem aggregate's state machine, as a table, and the rules behind each refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from events.base import NoticeEventBase
from events.commands import Assign, Triage
from events.identity import warning_id_for
from events.lifecycle import (
    DeadlineExtended,
    FixSentBack,
    FixSubmitted,
    FixVerified,
    Milestone,
    MilestoneCompleted,
    ProblemClosed,
    ProblemDeclined,
    ProblemEventBase,
    ProblemLinkedAsDuplicate,
    ProblemReopened,
    ProblemReported,
    ProblemTriaged,
    ProgressNoted,
    RectificationAssigned,
    ReporterAnswered,
)
from events.notices import NoticeIssued
from events.supervision import DeadlineWarningRaised
from events.vocabulary import (
    Channel,
    Notice,
    ProblemStatus,
    Trigger,
    TypicalReason,
    Via,
    WarningLevel,
    Watched,
)
from services.casework.application import Casework
from services.casework.errors import (
    AlreadyAnsweredError,
    DeadlineError,
    DomainError,
    DuplicateLinkError,
    MilestoneError,
    NoFixSubmittedError,
    NoReporterError,
    NotVerifiedError,
    ProblemClosedError,
    ReasonRequiredError,
    SelfVerificationError,
    VersionConflictError,
    WrongStatusError,
)
from services.casework.problem import Problem, RecordedFact, Warning
from tests.builders import (
    DEADLINE,
    MILESTONES,
    OTHER_PROBLEM,
    REPORTED_AT,
    SUPERVISOR,
    UNIT_STAFF,
    a_closed_problem,
    a_problem_in,
    a_problem_with_a_fix_submitted,
    a_rectifying_problem,
    a_reported_problem,
    a_submission,
    an_act,
    bring_to,
    problem_id_of,
)

# ----------------------------------------------------------------- the commands, with good args

COMMANDS: dict[str, Callable[[Problem], None]] = {
    "triage": lambda p: p.triage(an_act(), None, "检查计划未统筹", typical=True,
                                 typical_reasons=(TypicalReason.SOCIAL_IMPACT,)),
    "link_duplicate": lambda p: p.link_duplicate(an_act(), OTHER_PROBLEM),
    "decline": lambda p: p.decline(an_act(), "不属于本次整治范围"),
    "assign": lambda p: p.assign(
        an_act(),
        "赵局长",
        "执法支队",
        "统筹检查计划",
        DEADLINE,
        immediate=False,
        milestones=MILESTONES,
    ),
    "note_progress": lambda p: p.note_progress(an_act(UNIT_STAFF), "已召开专题会"),
    "complete_milestone": lambda p: p.complete_milestone(an_act(UNIT_STAFF), 1, "计划已印发"),
    "extend_deadline": lambda p: p.extend_deadline(
        an_act(UNIT_STAFF), DEADLINE + timedelta(days=20), "需跨部门协调", "赵局长"
    ),
    "submit_fix": lambda p: p.submit_fix(an_act(UNIT_STAFF), "已整改", ("照片.jpg",)),
    "verify_fix": lambda p: p.verify_fix(an_act(SUPERVISOR)),
    "send_back": lambda p: p.send_back(an_act(SUPERVISOR), "证据不足"),
    "close": lambda p: p.close(an_act(SUPERVISOR)),
    "reopen": lambda p: p.reopen(an_act(SUPERVISOR), "群众再次反映"),
    "answer_reporter": lambda p: p.answer_reporter(an_act(SUPERVISOR), "已整改完毕", None),
    "supervise": lambda p: p.issue_notice(an_act(SUPERVISOR), Notice.ORDER, "进展缓慢",
                                          date(2023, 3, 31), (Trigger.SLOW,)),
    "circulate": lambda p: p.issue_notice(an_act(SUPERVISOR), Notice.CIRCULAR, "推进迟缓",
                                          date(2023, 3, 31)),
    "warn": lambda p: p.warn(an_act("系统预警", via=Via.SYSTEM), a_red_warning(p)),
}
"""Each command method, called with arguments that are fine in themselves: only the status
decides whether it is allowed."""



def a_red_warning(problem: Problem) -> Warning:
    return Warning(warning_id_for(problem.id, "deadline", DEADLINE, "red"), WarningLevel.RED,
                   Watched.DEADLINE, DEADLINE, None, -1)


# ------------------------------------------------------------------------ the state machine

Outcome = tuple[type[ProblemEventBase | NoticeEventBase], ProblemStatus] | type[DomainError]

S = ProblemStatus
WRONG = WrongStatusError
CLOSED = ProblemClosedError
NO_FIX = NoFixSubmittedError
UNVERIFIED = NotVerifiedError
ANSWERED = AlreadyAnsweredError

TRANSITIONS: dict[ProblemStatus, dict[str, Outcome]] = {
    S.REPORTED: {
        "triage": (ProblemTriaged, S.TRIAGED),
        "link_duplicate": (ProblemLinkedAsDuplicate, S.DUPLICATE),
        "decline": (ProblemDeclined, S.DECLINED),
        "assign": (RectificationAssigned, S.RECTIFYING),
        "note_progress": WRONG,
        "complete_milestone": WRONG,
        "extend_deadline": WRONG,
        "submit_fix": WRONG,
        "verify_fix": NO_FIX,
        "send_back": NO_FIX,
        "close": UNVERIFIED,
        "reopen": WRONG,
        "answer_reporter": (ReporterAnswered, S.REPORTED),
        "supervise": (NoticeIssued, S.REPORTED),
        "circulate": (NoticeIssued, S.REPORTED),
        "warn": WRONG,
    },
    S.TRIAGED: {
        "triage": (ProblemTriaged, S.TRIAGED),
        "link_duplicate": (ProblemLinkedAsDuplicate, S.DUPLICATE),
        "decline": (ProblemDeclined, S.DECLINED),
        "assign": (RectificationAssigned, S.RECTIFYING),
        "note_progress": WRONG,
        "complete_milestone": WRONG,
        "extend_deadline": WRONG,
        "submit_fix": WRONG,
        "verify_fix": NO_FIX,
        "send_back": NO_FIX,
        "close": UNVERIFIED,
        "reopen": WRONG,
        "answer_reporter": (ReporterAnswered, S.TRIAGED),
        "supervise": (NoticeIssued, S.TRIAGED),
        "circulate": (NoticeIssued, S.TRIAGED),
        "warn": WRONG,
    },
    S.DECLINED: {
        "triage": WRONG,
        "link_duplicate": WRONG,
        "decline": WRONG,
        "assign": WRONG,
        "note_progress": WRONG,
        "complete_milestone": WRONG,
        "extend_deadline": WRONG,
        "submit_fix": WRONG,
        "verify_fix": NO_FIX,
        "send_back": NO_FIX,
        "close": UNVERIFIED,
        "reopen": WRONG,
        "answer_reporter": (ReporterAnswered, S.DECLINED),
        "supervise": (NoticeIssued, S.DECLINED),
        "circulate": (NoticeIssued, S.DECLINED),
        "warn": WRONG,
    },
    S.DUPLICATE: {
        "triage": WRONG,
        "link_duplicate": WRONG,
        "decline": WRONG,
        "assign": WRONG,
        "note_progress": WRONG,
        "complete_milestone": WRONG,
        "extend_deadline": WRONG,
        "submit_fix": WRONG,
        "verify_fix": NO_FIX,
        "send_back": NO_FIX,
        "close": UNVERIFIED,
        "reopen": WRONG,
        "answer_reporter": (ReporterAnswered, S.DUPLICATE),
        "supervise": (NoticeIssued, S.DUPLICATE),
        "circulate": (NoticeIssued, S.DUPLICATE),
        "warn": WRONG,
    },
    S.RECTIFYING: {
        "triage": WRONG,
        "link_duplicate": WRONG,
        "decline": WRONG,
        "assign": (RectificationAssigned, S.RECTIFYING),
        "note_progress": (ProgressNoted, S.RECTIFYING),
        "complete_milestone": (MilestoneCompleted, S.RECTIFYING),
        "extend_deadline": (DeadlineExtended, S.RECTIFYING),
        "submit_fix": (FixSubmitted, S.FIX_SUBMITTED),
        "verify_fix": NO_FIX,
        "send_back": NO_FIX,
        "close": UNVERIFIED,
        "reopen": WRONG,
        "answer_reporter": (ReporterAnswered, S.RECTIFYING),
        "supervise": (NoticeIssued, S.RECTIFYING),
        "circulate": (NoticeIssued, S.RECTIFYING),
        "warn": (DeadlineWarningRaised, S.RECTIFYING),
    },
    S.FIX_SUBMITTED: {
        "triage": WRONG,
        "link_duplicate": WRONG,
        "decline": WRONG,
        "assign": WRONG,
        "note_progress": WRONG,
        "complete_milestone": WRONG,
        "extend_deadline": WRONG,
        "submit_fix": WRONG,
        "verify_fix": (FixVerified, S.VERIFIED),
        "send_back": (FixSentBack, S.RECTIFYING),
        "close": UNVERIFIED,
        "reopen": WRONG,
        "answer_reporter": (ReporterAnswered, S.FIX_SUBMITTED),
        "supervise": (NoticeIssued, S.FIX_SUBMITTED),
        "circulate": (NoticeIssued, S.FIX_SUBMITTED),
        "warn": WRONG,
    },
    S.VERIFIED: {
        "triage": WRONG,
        "link_duplicate": WRONG,
        "decline": WRONG,
        "assign": WRONG,
        "note_progress": WRONG,
        "complete_milestone": WRONG,
        "extend_deadline": WRONG,
        "submit_fix": WRONG,
        "verify_fix": NO_FIX,
        "send_back": NO_FIX,
        "close": (ProblemClosed, S.CLOSED),
        "reopen": WRONG,
        "answer_reporter": ANSWERED,
        "supervise": (NoticeIssued, S.VERIFIED),
        "circulate": (NoticeIssued, S.VERIFIED),
        "warn": WRONG,
    },
    S.CLOSED: {
        "triage": CLOSED,
        "link_duplicate": CLOSED,
        "decline": CLOSED,
        "assign": CLOSED,
        "note_progress": CLOSED,
        "complete_milestone": CLOSED,
        "extend_deadline": CLOSED,
        "submit_fix": CLOSED,
        "verify_fix": CLOSED,
        "send_back": CLOSED,
        "close": CLOSED,
        "reopen": (ProblemReopened, S.RECTIFYING),
        "answer_reporter": ANSWERED,
        "supervise": CLOSED,
        "circulate": CLOSED,
        "warn": CLOSED,
    },
}
"""For each status (rows) and command (keys): the fact recorded and the status after it, or the
refusal. A problem from a public channel, so that its reporter can be answered; from verified on,
the usual path has answered its reporter already."""

CASES = [
    pytest.param(status, command, outcome, id=f"{status.value}-{command}")
    for status, row in TRANSITIONS.items()
    for command, outcome in row.items()
]


def test_the_table_covers_every_status_and_every_command() -> None:
    assert set(TRANSITIONS) == set(ProblemStatus)
    for row in TRANSITIONS.values():
        assert list(row) == list(COMMANDS)


@pytest.mark.parametrize(("status", "command", "outcome"), CASES)
def test_each_command_in_each_status_records_one_fact_or_is_refused(
    status: ProblemStatus, command: str, outcome: Outcome
) -> None:
    problem = a_problem_in(status)
    version = problem.version

    if isinstance(outcome, tuple):
        event_type, new_status = outcome
        COMMANDS[command](problem)
        [recorded] = problem.collect_events()
        assert type(recorded.fact) is event_type
        assert recorded.originator_version == version + 1
        assert (problem.status, problem.version) == (new_status, version + 1)
    else:
        with pytest.raises(outcome) as refused:
            COMMANDS[command](problem)
        assert type(refused.value) is outcome
        assert problem.collect_events() == []
        assert (problem.status, problem.version) == (status, version)


# ------------------------------------------------------------------------------ the rules


def test_a_problem_cannot_be_closed_before_its_fix_is_verified() -> None:
    problem = a_problem_with_a_fix_submitted()
    with pytest.raises(NotVerifiedError):
        problem.close(an_act(SUPERVISOR))


def test_a_closed_problem_cannot_be_assigned_again() -> None:
    problem = a_closed_problem()
    with pytest.raises(ProblemClosedError):
        problem.assign(
            an_act(), "赵局长", "执法支队", "再次整改", DEADLINE, immediate=True, milestones=()
        )


def test_a_fix_cannot_be_verified_before_one_is_submitted() -> None:
    problem = a_rectifying_problem()
    with pytest.raises(NoFixSubmittedError):
        problem.verify_fix(an_act(SUPERVISOR))


def test_a_closed_problem_refuses_verification_because_it_is_closed() -> None:
    problem = a_closed_problem()
    with pytest.raises(ProblemClosedError):
        problem.verify_fix(an_act(SUPERVISOR))
    with pytest.raises(ProblemClosedError):
        problem.send_back(an_act(SUPERVISOR), "证据不足")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_deadline_extension_needs_a_reason(reason: str) -> None:
    problem = a_rectifying_problem()
    with pytest.raises(ReasonRequiredError):
        problem.extend_deadline(an_act(), DEADLINE + timedelta(days=10), reason, "赵局长")
    assert problem.deadline == DEADLINE


def test_a_deadline_extension_needs_an_approver() -> None:
    problem = a_rectifying_problem()
    with pytest.raises(ReasonRequiredError):
        problem.extend_deadline(an_act(), DEADLINE + timedelta(days=10), "需协调", " ")


def test_whoever_submitted_a_fix_cannot_verify_it() -> None:
    problem = a_problem_with_a_fix_submitted()
    with pytest.raises(SelfVerificationError):
        problem.verify_fix(an_act(UNIT_STAFF))
    assert problem.status is ProblemStatus.FIX_SUBMITTED


@pytest.mark.parametrize("days", [0, -1], ids=["same-day", "earlier"])
def test_an_extension_must_move_the_deadline_later(days: int) -> None:
    problem = a_rectifying_problem()
    with pytest.raises(DeadlineError):
        problem.extend_deadline(an_act(), DEADLINE + timedelta(days=days), "需协调", "赵局长")
    assert problem.deadline == DEADLINE


def test_a_deadline_cannot_fall_before_the_report() -> None:
    problem = a_reported_problem()
    with pytest.raises(DeadlineError):
        problem.assign(
            an_act(),
            "赵局长",
            "执法支队",
            "整改",
            REPORTED_AT.date() - timedelta(1),
            immediate=True,
            milestones=(),
        )


@pytest.mark.parametrize("milestone", [0, 3, 99])
def test_only_milestones_on_the_roadmap_can_be_completed(milestone: int) -> None:
    problem = a_rectifying_problem()
    assert len(problem.milestones) == 2
    with pytest.raises(MilestoneError):
        problem.complete_milestone(an_act(UNIT_STAFF), milestone, "完成")


def test_a_milestone_cannot_be_completed_twice() -> None:
    problem = a_rectifying_problem()
    problem.complete_milestone(an_act(UNIT_STAFF), 2, "完成")
    problem.collect_events()
    with pytest.raises(MilestoneError):
        problem.complete_milestone(an_act(UNIT_STAFF), 2, "又完成了")
    assert problem.collect_events() == []


def test_an_on_the_spot_fix_has_no_roadmap_milestones() -> None:
    problem = a_reported_problem()
    with pytest.raises(MilestoneError):
        problem.assign(
            an_act(),
            "赵局长",
            "执法支队",
            "立行立改",
            DEADLINE,
            immediate=True,
            milestones=MILESTONES,
        )


def test_a_milestone_cannot_fall_after_the_deadline() -> None:
    problem = a_reported_problem()
    late = Milestone(due=DEADLINE + timedelta(days=1), description="逾期节点")
    with pytest.raises(MilestoneError):
        problem.assign(
            an_act(), "赵局长", "执法支队", "整改", DEADLINE, immediate=False, milestones=(late,)
        )


def test_a_self_inspection_problem_has_no_reporter_to_answer() -> None:
    problem = a_problem_in(
        ProblemStatus.CLOSED, channel=Channel.SELF_INSPECTION, reporter=None, filed_by=UNIT_STAFF
    )
    with pytest.raises(NoReporterError):
        problem.answer_reporter(an_act(SUPERVISOR), "已整改", None)
    assert problem.collect_events() == []


def test_the_reporter_is_answered_through_the_channel_they_used() -> None:
    problem = a_problem_in(ProblemStatus.FIX_SUBMITTED, channel=Channel.HOTLINE)
    problem.answer_reporter(an_act(SUPERVISOR), "已整改完毕", None)
    [recorded] = problem.collect_events()
    assert recorded.fact.channel is Channel.HOTLINE
    assert problem.answers.channel_of(recorded.originator_version) is Channel.HOTLINE


def test_a_problem_cannot_duplicate_itself() -> None:
    problem = a_reported_problem()
    with pytest.raises(DuplicateLinkError):
        problem.link_duplicate(an_act(), problem.id)


def test_a_fix_sent_back_without_a_reason_stays_submitted() -> None:
    problem = a_problem_with_a_fix_submitted()
    with pytest.raises(ReasonRequiredError):
        problem.send_back(an_act(SUPERVISOR), "  ")
    assert problem.status is ProblemStatus.FIX_SUBMITTED


# ------------------------------------------------------------------------------ replay


def test_replaying_the_recorded_facts_rebuilds_the_same_problem() -> None:
    problem = bring_to(Problem.report(a_submission()), ProblemStatus.CLOSED)
    problem.reopen(an_act(SUPERVISOR, days_after_report=40), "群众再次反映")
    problem.extend_deadline(
        an_act(UNIT_STAFF, days_after_report=41),
        DEADLINE + timedelta(days=30),
        "需跨部门协调",
        "赵局长",
    )
    problem.complete_milestone(an_act(UNIT_STAFF, days_after_report=42), 1, "计划已印发")
    problem.answer_reporter(an_act(SUPERVISOR, days_after_report=43), "正在重新整改", None)
    facts = problem.collect_events()

    replayed: Problem | None = None
    for recorded in facts:
        replayed = recorded.mutate(replayed)

    assert replayed is not None
    assert [f.originator_version for f in facts] == list(range(1, len(facts) + 1))
    assert (replayed.status, replayed.version, replayed.deadline) == (
        problem.status,
        problem.version,
        problem.deadline,
    )
    assert replayed.completed_milestones == problem.completed_milestones == {1}
    assert (replayed.category, replayed.plan, replayed.answers) == (
        problem.category,
        problem.plan,
        problem.answers,
    )
    assert replayed.modified_on == problem.modified_on
    assert replayed.collect_events() == []


def test_a_history_must_begin_with_the_report() -> None:
    problem = a_rectifying_problem()
    problem.note_progress(an_act(UNIT_STAFF), "进展")
    [recorded] = problem.collect_events()
    with pytest.raises(TypeError):
        recorded.mutate(None)


def test_a_new_problem_has_only_its_report_pending() -> None:
    problem = Problem.report(a_submission())
    [recorded] = problem.collect_events()
    assert isinstance(recorded, RecordedFact)
    assert isinstance(recorded.fact, ProblemReported)
    assert (recorded.originator_version, problem.version) == (1, 1)
    assert problem.status is ProblemStatus.REPORTED


# ------------------------------------------------------------- the casework application


@pytest.fixture
def casework(tmp_path: Path) -> Iterator[Casework]:
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(tmp_path / "events.sqlite"),
    }
    app = Casework(env, clock=lambda: REPORTED_AT + timedelta(days=1))
    yield app
    app.close()


def test_a_submission_filed_again_and_again_makes_one_problem(casework: Casework) -> None:
    submission = a_submission()

    first = casework.file([submission, submission, submission])
    later = casework.file([submission]) + casework.file([submission, a_submission()])

    problem_id = problem_id_of(submission)
    assert [f.created for f in first] == [True, False, False]
    assert [f.created for f in later] == [False, False, False]
    assert {f.problem_id for f in first + later} == {problem_id}
    assert [type(fact) for fact in casework.history(problem_id)] == [ProblemReported]
    assert casework.position() == 1


def test_a_batch_files_new_submissions_beside_ones_already_on_record(casework: Casework) -> None:
    old, new = a_submission(), a_submission(intake_id="web-2023-0002")
    casework.file([old])

    outcomes = casework.file([old, new])

    assert [(f.problem_id, f.created) for f in outcomes] == [
        (problem_id_of(old), False),
        (problem_id_of(new), True),
    ]
    assert casework.position() == 2


def test_a_command_at_a_stale_version_is_refused_and_records_nothing(casework: Casework) -> None:
    [filed] = casework.file([a_submission()])
    casework.handle(Triage(problem_id=filed.problem_id, actor=SUPERVISOR, expected_version=1))
    position = casework.position()

    stale = Assign(
        problem_id=filed.problem_id,
        actor=SUPERVISOR,
        expected_version=1,
        leader="赵局长",
        department="执法支队",
        measures="整改",
        deadline=DEADLINE,
    )
    with pytest.raises(VersionConflictError):
        casework.handle(stale)

    assert casework.position() == position
    assert casework.get_problem(filed.problem_id).version == 2
    assert len(casework.history(filed.problem_id)) == 2


def test_the_history_tells_the_facts_in_the_order_they_happened(casework: Casework) -> None:
    [filed] = casework.file([a_submission()])
    pid = filed.problem_id

    versions = [
        casework.handle(Triage(problem_id=pid, actor=SUPERVISOR, expected_version=1)),
        casework.handle(
            Assign(
                problem_id=pid,
                actor=SUPERVISOR,
                leader="赵局长",
                department="执法支队",
                measures="整改",
                deadline=DEADLINE,
                immediate=True,
            )
        ),
    ]

    assert versions == [2, 3]
    history = casework.history(pid)
    assert [type(fact) for fact in history] == [
        ProblemReported,
        ProblemTriaged,
        RectificationAssigned,
    ]
    assert all(fact.problem_id == pid for fact in history)
    assert casework.get_problem(pid).status is ProblemStatus.RECTIFYING
