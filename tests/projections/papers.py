"""A campaign worth printing: long Chinese text in every column, several units, every outcome,
and one unit whose recorded name holds control characters (as an old import left it)."""

from __future__ import annotations

from datetime import date, timedelta

from events.recorded import RecordedEvent
from events.vocabulary import (
    Category,
    Channel,
    MechanismKind,
    Notice,
    PlanKind,
    ProblemStatus,
    TypicalReason,
    Via,
)
from projections.models.ledger import LedgerHeader, LedgerRow, UnitLedger
from services.casework.problem import Act
from tests.projections.stories import SECTION, STAFF, Story, day

HOSTILE_UNIT = "第三\x00执法\x1b大队\x7f"
"""As recorded; every export shows it as 第三执法大队."""
SHOWN_HOSTILE_UNIT = "第三执法大队"
LONG_PROBLEM = ("执法人员在现场检查时未出示执法证件，也未告知当事人陈述申辩的权利，"
                "检查记录内容不全，未载明检查依据和检查结果")
LONG_CASE = ("某建材经营部2月份先后接受市场监管、应急管理、生态环境三个部门的现场检查，检查内容"
             "多有重复，企业负责人反映检查频次过高、影响正常经营，且检查人员要求企业重复提交同一批"
             "证明材料，检查结束后未出具任何书面意见")
TYPICAL_PROBLEM = "对小微企业首次轻微违法一律顶格处罚"
TYPICAL_CAUSE = "裁量基准不细化"
MECHANISM = "涉企行政检查统筹备案制度"
PLAN = "第一分局行政执法突出问题整改方案"
LONG_MEASURES = "组织全员培训；修订执法检查工作规程；对相关案卷逐一复查补正；建立跨部门联合检查机制"


def a_campaign_worth_printing() -> list[RecordedEvent]:
    """Ten problems over three units: closed, fixed on the spot, roadmaps still running and
    overdue, an order answered and a circular not, public reports answered, a typical case
    with its cause, and a mechanism the first unit adopted."""
    story = Story()
    for n in range(6):
        channel = (Channel.SELF_INSPECTION, Channel.HOTLINE, Channel.ENTERPRISE_VISIT)[n % 3]
        problem = story.report(on=n * 0.1, problem=f"{LONG_PROBLEM}（第{n + 1}项）",
                               case=LONG_CASE, channel=channel)
        story.assign(problem, on=1, deadline=date(2023, 3, 10) + timedelta(days=n * 8),
                     immediate=n % 2 == 0,
                     leader="王副局长（分管执法）", department="法制科与综合执法大队",
                     measures=LONG_MEASURES)
        if n < 3:
            story.verify(story.fix(problem, on=5), on=6)
            if channel.is_public:  # the outcome, once verified
                story.answer(problem, on=6.5)
            story.close(problem, on=7)
        elif n == 3:
            story.order(problem, on=8, due=date(2023, 3, 20))
            story.respond(problem, 9, Notice.ORDER, 1)
        elif n == 4:
            story.circulate(problem, on=8, due=date(2023, 3, 15))
    for n in range(2):
        story.report(on=2 + n, unit="第二分局", channel=Channel.WEBSITE,
                     problem="罚款数额畸轻畸重，同类案件处罚标准不统一", case=LONG_CASE)
    typical = story.report(on=4, unit="第二分局", problem=TYPICAL_PROBLEM, case=LONG_CASE)
    typical.triage(Act(SECTION, Via.CLI, day(5)), None, "裁量基准不细", True,
                   cause=TYPICAL_CAUSE, typical_reasons=(TypicalReason.PUBLIC_ATTENTION,))
    story.kept_problem(typical)
    unit = story.unit("第一分局")
    unit.adopt_mechanism(Act(STAFF, Via.CLI, day(9)), MECHANISM, MechanismKind.RULE,
                         date(2023, 3, 1), "某执法〔2023〕3号", (), (Category.OVER_INSPECTION,))
    unit.file_plan(Act(STAFF, Via.CLI, day(2)), PlanKind.RECTIFICATION_PLAN, PLAN,
                   date(2023, 2, 23), None, dict.fromkeys(
                       ("content", "goals", "measures", "schedule", "responsible"), "见方案"))
    story.kept(unit)
    hostile = story.report(on=3, unit=SHOWN_HOSTILE_UNIT, problem=LONG_PROBLEM, case=LONG_CASE)
    story.assign(hostile, on=4, deadline=date(2023, 3, 31), measures=LONG_MEASURES)
    # Recorded before text was cleaned on the way in: the name as stored, whatever intake does.
    return [event.model_copy(update={"unit": HOSTILE_UNIT})
            if event.unit == SHOWN_HOSTILE_UNIT else event for event in story.events]



def a_long_ledger(rows: int = 8) -> UnitLedger:
    """One unit's ledger with long Chinese text in every column, of varying length."""
    return UnitLedger(LedgerHeader("第一分局", "李四", "0391-1234567", date(2023, 3, 5)), tuple(
        LedgerRow(n, LONG_PROBLEM * (n % 3 + 1), LONG_CASE[: 20 * (n % 8 + 1)], LONG_MEASURES,
                  date(2023, 3, n % 28 + 1), "法制科与综合执法大队" * (n % 2 + 1),
                  "王副局长（分管执法）", "整改中；超期；督办2次；已延期", "第一分局", f"p{n}",
                  ProblemStatus.RECTIFYING)
        for n in range(1, rows + 1)))
