"""Events as a person reads them: what happened, in words, with the details that matter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from events.vocabulary import (
    AnswerRoute,
    Category,
    Channel,
    Filing,
    Labelled,
    Language,
    MechanismKind,
    Notice,
    Satisfaction,
    SpotCheckMethod,
    SpotCheckResult,
    Trigger,
    Via,
    WarningLevel,
)

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "ProblemReported": ("问题登记", "reported"),
    "ProblemTriaged": ("分类研判", "triaged"),
    "ProblemLinkedAsDuplicate": ("关联重复问题", "linked as duplicate"),
    "ProblemDeclined": ("不予受理", "declined"),
    "RectificationProposed": ("单位提出整改方案（四定）", "rectification proposed"),
    "ProposalReturned": ("退回整改方案", "proposal returned"),
    "RectificationAssigned": ("交办整改（四定）", "rectification assigned"),
    "ProgressNoted": ("整改进展", "progress noted"),
    "MilestoneCompleted": ("完成节点", "milestone completed"),
    "ExtensionRequested": ("申请延期", "extension requested"),
    "ExtensionRefused": ("不予批准延期", "extension refused"),
    "DeadlineExtended": ("延期", "deadline extended"),
    "FixSubmitted": ("提交整改结果", "fix submitted"),
    "FixVerified": ("验收通过", "fix verified"),
    "FixSentBack": ("退回整改", "fix sent back"),
    "ProblemClosed": ("销号", "closed"),
    "ProblemReopened": ("重新打开", "reopened"),
    "ReporterAnswered": ("答复举报人", "reporter answered"),
    "SatisfactionRecorded": ("回访满意度", "satisfaction recorded"),
    "AnswerDelivered": ("答复已送达", "answer delivered"),
    "AnswerDeliveryFailed": ("答复未能送达", "answer not delivered"),
    "NoticeIssued": ("下发督办/通报", "order or circular issued"),
    "NoticeRead": ("阅知督办/通报", "order or circular read"),
    "SupervisionOrderIssued": ("督办", "supervision order issued"),
    "CircularIssued": ("通报", "circular issued"),
    "NoticeResponded": ("回复督办/通报", "order or circular answered"),
    "ResponseOverdue": ("督办逾期未回复", "response overdue"),
    "DeadlineWarningRaised": ("时限预警", "deadline warning"),
    "ReboundSuspected": ("疑似反弹", "suspected rebound"),
    "FilingSubmitted": ("报送", "filed"),
    "FilingOverdue": ("逾期未报送", "filing overdue"),
    # Older names of the notice facts, as the events recorded before them still say.
    "UnitOrderIssued": ("督办（单位）", "supervision order to the unit"),
    "UnitCircularIssued": ("通报（单位）", "circular naming the unit"),
    "UnitNoticeResponded": ("单位回复督办/通报", "unit answered an order or circular"),
    "UnitResponseOverdue": ("单位督办逾期未回复", "unit response overdue"),
    "SpotCheckSelected": ("列入重点抽查", "selected for a spot check"),
    "SpotCheckRecorded": ("抽查结果", "spot check recorded"),
    "MechanismAdopted": ("建章立制", "mechanism adopted"),
    "PlanFiled": ("报送整改方案/工作方案", "plan filed"),
}

_DETAIL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("problem", "问题", "problem"),
    ("case", "案例", "case"),
    ("cause", "成因", "cause"),
    ("root_cause", "根源", "root cause"),
    ("typical_reasons", "典型依据", "typical because"),
    ("title", "制度", "title"),
    ("kind", "类型", "kind"),
    ("adopted_on", "施行日期", "adopted on"),
    ("document", "文号", "document"),
    ("duplicate_of", "重复于", "duplicate of"),
    ("leader", "责任领导", "leader"),
    ("department", "责任部门", "department"),
    ("measures", "措施", "measures"),
    ("deadline", "时限", "deadline"),
    ("deadline_as_written", "时限（原文）", "deadline as written"),
    ("proposed_by", "填报人", "proposed by"),
    ("note", "进展", "note"),
    ("milestone", "节点", "milestone"),
    ("approved_by", "批准人", "approved by"),
    ("summary", "整改情况", "summary"),
    ("reason", "理由", "reason"),
    ("message", "答复", "message"),
    ("answer_version", "答复（版本）", "answer (version)"),
    ("satisfaction", "满意度", "satisfaction"),
    ("route", "送达方式", "route"),
    ("reference", "凭据", "reference"),
    ("due", "期限", "due"),
    ("level", "预警", "level"),
    ("notice", "类型", "kind"),
    ("number", "编号", "number"),
    ("response", "回复", "response"),
    ("triggers", "事由", "triggers"),
    ("closed_problem", "疑似反弹自", "rebound of"),
    ("filing", "报送", "filing"),
    ("methods", "抽查方式", "methods"),
    ("findings", "发现", "findings"),
    ("result", "结论", "result"),
)


_LABELLED: dict[str, type[Labelled]] = {"level": WarningLevel, "notice": Notice,
                                        "filing": Filing, "route": AnswerRoute,
                                        "satisfaction": Satisfaction, "kind": MechanismKind,
                                        "triggers": Trigger, "methods": SpotCheckMethod,
                                        "result": SpotCheckResult}
_IN_ENGLISH = {"reason": "reason_en"}
"""Fields whose English text an event carries beside the Chinese."""


def event_label(event_type: str, lang: Language) -> str:
    zh, en = EVENT_LABELS.get(event_type, (event_type, event_type))
    return zh if lang == "zh" else en


def local_time(iso: str) -> str:
    """An event time in the reader's own time zone, the way people write it."""
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def details(event: dict[str, Any], lang: Language) -> str:
    parts = []
    if "category" in event:
        parts.append(("类别" if lang == "zh" else "category") + ": "
                     + Category(event["category"]).label(lang))
    for key, zh, en in _DETAIL_FIELDS:
        if event.get(key) not in (None, ""):
            value = event[key]
            if lang == "en" and event.get(_IN_ENGLISH.get(key, "")):
                value = event[_IN_ENGLISH[key]]
            if key in _LABELLED and isinstance(value, list):
                value = "、".join(_LABELLED[key](v).label(lang) for v in value)
            elif key in _LABELLED:
                value = _LABELLED[key](value).label(lang)
            parts.append(f"{zh if lang == 'zh' else en}: {value}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def row(event: dict[str, Any], lang: Language) -> list[str]:
    """时间, 操作, 操作人, 方式, 渠道, 内容."""
    channel = Channel(event["channel"]).label(lang) if event.get("channel") else ""
    return [local_time(event["occurred_at"]), event_label(event["type"], lang), event["actor"],
            Via(event["via"]).label(lang), channel, details(event, lang)]


def headers(lang: Language) -> list[str]:
    if lang == "zh":
        return ["时间", "操作", "操作人", "方式", "渠道", "内容"]
    return ["time", "action", "actor", "via", "channel", "details"]
