"""Histories of problems, told through the real Problem aggregate so that every one is valid.

``Story`` records what a test narrates (report, assign, submit, verify, close …) as the events
the aggregate would record; ``random_history`` plays random commands and keeps those the rules
allow, for property tests and large deterministic runs.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from events.identity import warning_id_for
from events.lifecycle import Milestone, Reporter
from events.recorded import RecordedEvent
from events.submission import IntakeSubmission
from events.vocabulary import (
    AnswerRoute,
    Category,
    Channel,
    Filing,
    MechanismKind,
    Notice,
    PlanKind,
    Satisfaction,
    Trigger,
    TypicalReason,
    Via,
    WarningLevel,
    Watched,
)
from services.casework.errors import DomainError
from services.casework.notices import Notices
from services.casework.problem import Act, Problem, Warning
from services.casework.unit import Unit
from services.supervision.campaign import DEFAULT_CAUSES

START = datetime(2023, 2, 22, 1, 30, tzinfo=UTC)  # 09:30 in China
UNITS = ("第一分局", "第二分局", "执法支队")
STAFF = "第一分局 王五"
SECTION = "法规科 李四"


def day(n: float) -> datetime:
    return START + timedelta(days=n)


class Story:
    """What happened, in order, to a few problems."""

    def __init__(self, prefix: str = "") -> None:
        self.events: list[RecordedEvent] = []
        self.units: dict[str, Unit] = {}
        self._reports = 0
        self._prefix = prefix

    def _keep(self, problem: Problem) -> Problem:
        self.events.extend(recorded.fact for recorded in problem.collect_events())
        return problem

    def unit(self, name: str) -> Unit:
        """The unit aggregate; call ``kept`` after acting on it."""
        return self.units.setdefault(name, Unit(name))

    def kept(self, unit: Unit) -> Unit:
        self.events.extend(recorded.fact for recorded in unit.collect_events())
        return unit

    def kept_problem(self, problem: Problem) -> Problem:
        """Keep what a test did to ``problem`` directly."""
        return self._keep(problem)

    def report(self, on: float = 0, unit: str = "第一分局",
               channel: Channel = Channel.SELF_INSPECTION, filed_by: str | None = STAFF,
               problem: str = "同一企业一个月内被三个科室分别检查",
               case: str = "某化工企业2月份接受检查三次，内容重复") -> Problem:
        self._reports += 1
        public = channel.is_public
        submission = IntakeSubmission(
            channel=channel, unit=unit,
            intake_id=f"{self._prefix}{channel.value}-{self._reports:05d}",
            category=Category.OVER_INSPECTION, problem=problem, case=case,
            submitted_at=day(on), filed_by=None if public else filed_by,
            reporter=Reporter(name="张三", phone="13800000000") if public else None)
        return self._keep(Problem.report(submission))

    def assign(self, problem: Problem, on: float, deadline: date, immediate: bool = False,
               leader: str = "赵局长", department: str = "法制科",
               measures: str = "统筹制定年度检查计划") -> Problem:
        milestones = () if immediate else (Milestone(due=deadline, description="完成检查清单"),)
        problem.triage(Act(SECTION, Via.CLI, day(on)), None, "检查计划未统筹", typical=False)
        problem.assign(Act(SECTION, Via.CLI, day(on)), leader, department, measures, deadline,
                       immediate=immediate, milestones=milestones)
        return self._keep(problem)

    def fix(self, problem: Problem, on: float) -> Problem:
        problem.submit_fix(Act(STAFF, Via.WEB, day(on)), "已建立联合检查机制", ("计划.pdf",))
        return self._keep(problem)

    def verify(self, problem: Problem, on: float) -> Problem:
        problem.verify_fix(Act(SECTION, Via.CLI, day(on)))
        return self._keep(problem)

    def close(self, problem: Problem, on: float) -> Problem:
        problem.close(Act(SECTION, Via.CLI, day(on)))
        return self._keep(problem)

    def answer(self, problem: Problem, on: float, channel: Channel | None = None) -> Problem:
        """件件有回音: a public reporter is answered before the problem may be closed."""
        problem.answer_reporter(Act(SECTION, Via.CLI, day(on)), "已整改完毕", channel)
        return self._keep(problem)

    def delivered(self, problem: Problem, on: float) -> Problem:
        """The answers part found the latest answer delivered (by the tracking lookup)."""
        problem.record_delivery(Act("answers", Via.SYSTEM, day(on)), problem.version,
                                AnswerRoute.TRACKING_LOOKUP, "R-0000-0000")
        return self._keep(problem)

    def undeliverable(self, problem: Problem, on: float) -> Problem:
        """WeChat refused the latest answer: past its 48-hour window (errcode 45015)."""
        problem.record_delivery_failure(Act("answers", Via.SYSTEM, day(on)), problem.version,
                                        AnswerRoute.WECHAT, "wechat_45015", "超过回复时限",
                                        "response out of time limit")
        return self._keep(problem)

    def send_back(self, problem: Problem, on: float) -> Problem:
        problem.send_back(Act(SECTION, Via.CLI, day(on)), "证明材料不足")
        return self._keep(problem)

    def reopen(self, problem: Problem, on: float) -> Problem:
        problem.reopen(Act(SECTION, Via.CLI, day(on)), "群众再次反映")
        return self._keep(problem)

    def supervise(self, problem: Problem, on: float) -> Problem:
        problem.issue_notice(Act(SECTION, Via.CLI, day(on)), Notice.ORDER,
                             "整改进度缓慢", None, (Trigger.SLOW,))
        return self._keep(problem)

    def circulate(self, problem: Problem, on: float, due: date | None = None) -> Problem:
        problem.issue_notice(Act(SECTION, Via.CLI, day(on)), Notice.CIRCULAR,
                             "群众多次举报仍未查处", due)
        return self._keep(problem)

    def order(self, problem: Problem, on: float, due: date | None = None) -> Problem:
        problem.issue_notice(Act(SECTION, Via.CLI, day(on)), Notice.ORDER,
                             "整改进度缓慢", due, (Trigger.SLOW,))
        return self._keep(problem)

    def respond(self, problem: Problem, on: float, notice: Notice, number: int) -> Problem:
        problem.respond(Act(STAFF, Via.WEB, day(on)), notice, number, "已按要求整改")
        return self._keep(problem)

    def response_overdue(self, problem: Problem, on: float, notice: Notice,
                         number: int) -> Problem:
        warning = warning_id_for(problem.id, f"{notice.value}:{number}", day(on).date(), "red")
        problem.flag_response_overdue(Act("watchdog", Via.SYSTEM, day(on)), warning, notice,
                                      number)
        return self._keep(problem)

    def warn(self, problem: Problem, on: float, level: WarningLevel, due: date,
             watched: Watched = Watched.DEADLINE) -> Problem:
        warning = Warning(warning_id_for(problem.id, watched.value, due, level.value), level,
                          watched, due, 1 if watched is Watched.MILESTONE else None, 1)
        problem.warn(Act("watchdog", Via.SYSTEM, day(on)), warning)
        return self._keep(problem)

    def rebound(self, problem: Problem, on: float, closed: Problem, closed_on: date) -> Problem:
        problem.suspect_rebound(Act("casework", Via.SYSTEM, day(on)), closed.id, closed_on)
        return self._keep(problem)

    def extend(self, problem: Problem, on: float, deadline: date) -> Problem:
        problem.extend_deadline(Act(SECTION, Via.CLI, day(on)), deadline, "需协调多个部门", "局长")
        return self._keep(problem)

    def decline(self, problem: Problem, on: float) -> Problem:
        problem.decline(Act(SECTION, Via.CLI, day(on)), "不属于本次整治范围")
        return self._keep(problem)


_PEOPLE = (STAFF, SECTION, "第二分局 陈六", "支队 周七")
_LEADERS = (("赵局长", "法制科"), ("钱副局长", "执法一科"), ("孙支队长", "执法支队"))


def _latest_number(notices: Notices, notice: Notice, rng: random.Random) -> int:
    """A notice of this kind the aggregate received (1 when none: the command is refused)."""
    return rng.randint(1, max(1, notices.next_number(notice) - 1))


def _triage(problem: Problem, act: Act, rng: random.Random) -> None:
    """A category, perhaps a cause, and now and then a typical case with the notice's criterion."""
    reasons = tuple(rng.sample(list(TypicalReason), rng.randint(1, 2))) \
        if rng.random() < 0.2 else ()
    problem.triage(act, rng.choice(list(Category)), "原因", bool(reasons),
                   rng.choice((None, *DEFAULT_CAUSES[:3])), reasons)


def _assign(problem: Problem, act: Act, leader: str, department: str, deadline: date,
            immediate: bool) -> None:
    """A fix on the spot, or a roadmap with its one milestone on the deadline."""
    milestones = () if immediate else (Milestone(due=deadline, description="完成整改"),)
    problem.assign(act, leader, department, "整改措施", deadline, immediate=immediate,
                   milestones=milestones)


class RandomCampaign:
    """One story told for as long as asked, ``take`` by ``take``: units, problems and notice
    numbers carry over from one call to the next, so every event could have come from the write
    side. Problems beyond the ``active`` most recent go quiet (and are forgotten), which keeps
    memory flat however long the story."""

    def __init__(self, rng: random.Random, prefix: str = "", units: Sequence[str] = UNITS,
                 active: int = 5_000, days_per_step: float = 1 / 8) -> None:
        self.rng, self.story, self.units = rng, Story(prefix), tuple(units)
        self.problems: deque[Problem] = deque(maxlen=active)
        self.days_per_step, self.step = days_per_step, 0
        self.extension_rng = random.Random(f"{prefix}:extensions")

    def take(self, size: int) -> list[RecordedEvent]:
        """The next ``size`` events of the story."""
        events = self.story.events
        while len(events) < size:
            self.step += 1
            self._play(self.step * self.days_per_step)
        taken, self.story.events = events[:size], events[size:]
        return taken

    def _play(self, at: float) -> None:
        if self.rng.random() < 0.04:
            self._unit_step(at)
        elif not self.problems or self.rng.random() < 0.15:
            rng = self.rng
            self.problems.append(self.story.report(at, rng.choice(self.units),
                                                   rng.choice(list(Channel)),
                                                   rng.choice(_PEOPLE)))
        else:
            self._problem_step(at)

    def _unit_step(self, at: float) -> None:
        rng, story = self.rng, self.story
        unit, act = story.unit(rng.choice(self.units)), Act(rng.choice(_PEOPLE), Via.CLI, day(at))
        due = (day(at) + timedelta(days=rng.randint(1, 10))).date()
        notice = rng.choice(list(Notice))
        commands = (
            lambda: unit.issue_notice(act, Notice.ORDER, "自查不深入", due, (Trigger.SHALLOW,)),
            lambda: unit.issue_notice(act, Notice.CIRCULAR, "进度滞后", due),
            lambda: unit.respond(act, notice, _latest_number(unit.notices, notice, rng), "已整改"),
            lambda: unit.submit_filing(act, rng.choice(list(Filing)), "0371-12345678"),
            lambda: unit.select_for_spot_check(act, "问题零报告"),
            lambda: unit.file_plan(act, rng.choice(list(PlanKind)), "专项整治方案", day(at).date(),
                                   None, {"content": "整治重点", "goals": "全部整改到位",
                                          "measures": f"措施{rng.randint(1, 9)}",
                                          "schedule": "4月10日前完成",
                                          "responsible": "法制股 王五"}),
            lambda: unit.adopt_mechanism(act, f"制度{rng.randint(1, 99)}号", rng.choice(
                list(MechanismKind)), day(at).date(), rng.choice((None, "济环法〔2023〕5号")), (),
                tuple(rng.sample(list(Category), rng.randint(0, 2)))),
        )
        try:
            rng.choice(commands)()
        except DomainError:
            return
        story.kept(unit)

    def _problem_step(self, at: float) -> None:
        rng = self.rng
        problem, other = rng.choice(self.problems), rng.choice(self.problems)
        act = Act(rng.choice(_PEOPLE), rng.choice(list(Via)), day(at))
        deadline = (day(at) + timedelta(days=rng.randint(0, 40))).date()
        leader, department = rng.choice(_LEADERS)
        notice = rng.choice(list(Notice))
        commands = (
            lambda: _triage(problem, act, rng),
            lambda: _assign(problem, act, leader, department, deadline, rng.random() < 0.4),
            lambda: problem.note_progress(act, "进展顺利"),
            lambda: problem.extend_deadline(act, deadline + timedelta(days=30), "协调", "局长"),
            lambda: problem.submit_fix(act, "已整改", ()),
            lambda: problem.verify_fix(act),
            lambda: problem.send_back(act, "材料不足"),
            lambda: problem.close(act),
            lambda: problem.reopen(act, "再次反映"),
            lambda: problem.issue_notice(act, Notice.ORDER, "进度慢", None, (Trigger.SLOW,)),
            lambda: problem.answer_reporter(act, "已整改完毕", None),
            lambda: problem.decline(act, "不属于整治范围"),
            lambda: problem.link_duplicate(act, other.id),
            lambda: problem.issue_notice(act, Notice.CIRCULAR, "通报", deadline),
            lambda: problem.respond(act, notice, _latest_number(problem.notices, notice, rng),
                                    "已整改"),
            lambda: problem.record_satisfaction(act, rng.choice(list(Satisfaction)), None),
            lambda: problem.suspect_rebound(act, other.id, problem.reported_on),
        )
        weights = (3, 4, 2, 1, 4, 3, 1, 3, 1, 1, 3, 0.3, 0.2, 0.5, 0.8, 2, 0.3)
        try:
            rng.choices(commands, weights)[0]()
        except DomainError:
            return
        self.story._keep(problem)
        self._extension_step(problem, act, deadline)

    def _extension_step(self, problem: Problem, act: Act, deadline: date) -> None:
        """Now and then the unit asks for a later deadline and its leader decides, by a random
        source of its own (so the rest of the story draws as it did before requests existed)."""
        rng = self.extension_rng
        if rng.random() >= 0.08:
            return
        commands: tuple[Callable[[], None], ...] = (
            lambda: problem.request_extension(act, deadline + timedelta(days=20), "需协查"),
            lambda: problem.approve_extension(act),
            lambda: problem.refuse_extension(act, "可并行办理"),
        )
        try:
            rng.choice(commands)()
        except DomainError:
            return
        self.story._keep(problem)


def random_history(rng: random.Random, size: int, prefix: str = "") -> list[RecordedEvent]:
    """``size`` events from random commands on a growing set of problems (refused ones vanish);
    ``prefix`` keeps the problems of several histories apart."""
    return RandomCampaign(rng, prefix).take(size)
