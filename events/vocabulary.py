"""The campaign's vocabulary: intake channels, the 13 problem categories, problem statuses.

Codes are what the software says; labels (zh-CN first, English second) are what people see.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Language = Literal["zh", "en"]


class Labelled(StrEnum):
    """An enum whose members carry a Chinese and an English label."""

    def label(self, lang: Language = "zh") -> str:
        zh, en = _LABELS[type(self).__name__][self.value]
        return zh if lang == "zh" else en

    @classmethod
    def parse(cls, text: str) -> Labelled:
        """The member whose code, Chinese label or English label is ``text``."""
        wanted = text.strip()
        for member in cls:
            zh, en = _LABELS[cls.__name__][member.value]
            if wanted in (member.value, zh) or wanted.lower() == en.lower():
                return member
        raise ValueError(wanted)


class Channel(Labelled):
    """问题收集渠道: where a problem came in."""

    SELF_INSPECTION = "self_inspection"
    ENTERPRISE_VISIT = "enterprise_visit"
    SYMPOSIUM = "symposium"
    WEBSITE = "website"
    WECHAT = "wechat"
    HOTLINE = "hotline"
    MAILBOX = "mailbox"
    SPOT_CHECK = "spot_check"
    OVERSIGHT = "oversight"
    """执法监督. The code is older than the split into the notice's three oversight sources;
    its label always was 执法监督, so events recorded with it keep their meaning."""
    AUDIT = "audit"
    """审计监督"""
    RECONSIDERATION = "reconsideration"
    """行政复议应诉: administrative reconsideration and litigation."""
    CENTRAL_INSPECTION = "central_inspection"

    @property
    def is_public(self) -> bool:
        """Whether a member of the public reported through it, and so must get an answer."""
        return self in _PUBLIC_CHANNELS

    @property
    def is_units_own(self) -> bool:
        """Whether a problem reported through it is the unit's own finding: its
        self-inspection, or what it heard visiting enterprises or holding a symposium."""
        return self in _UNITS_OWN_CHANNELS

    def answers_reporter(self, reporter_recorded: bool) -> bool:
        """Whether a report through it is answered (件件有回音): every public report, and a
        visit's or symposium's finding that recorded whom to answer (the 行政相对人)."""
        return self.is_public or (reporter_recorded and self in FACE_TO_FACE_CHANNELS)


_PUBLIC_CHANNELS = frozenset({Channel.WEBSITE, Channel.WECHAT, Channel.HOTLINE, Channel.MAILBOX})
FACE_TO_FACE_CHANNELS = frozenset({Channel.ENTERPRISE_VISIT, Channel.SYMPOSIUM})
_UNITS_OWN_CHANNELS = FACE_TO_FACE_CHANNELS | {Channel.SELF_INSPECTION}
"""Where the unit hears enterprises and the public in person: its own findings, with people
who may be named to be answered."""


class Category(Labelled):
    """整治重点: the 13 kinds of prominent enforcement problem named by the notice.

    The Chinese labels are the notice's words, each exactly as it stands in its list."""

    PROCEDURE = "procedure"
    OVER_INSPECTION = "over_inspection"
    INACTION_OR_ARBITRARY = "inaction_or_arbitrary"
    ONE_SIZE_FITS_ALL = "one_size_fits_all"
    IMPROPER_INTENSITY = "improper_intensity"
    DOCUMENTS = "documents"
    OVERDUE_CASES = "overdue_cases"
    CASE_FILES = "case_files"
    FAULT_LIABILITY = "fault_liability"
    THREE_SYSTEMS = "three_systems"
    UNCIVIL = "uncivil"
    CAPABILITY = "capability"
    OTHER = "other"


class ProblemStatus(Labelled):
    """Where a problem stands in its lifecycle."""

    REPORTED = "reported"
    TRIAGED = "triaged"
    DECLINED = "declined"
    DUPLICATE = "duplicate"
    RECTIFYING = "rectifying"
    FIX_SUBMITTED = "fix_submitted"
    VERIFIED = "verified"
    CLOSED = "closed"


class Via(Labelled):
    """How an action reached the system: the means, beside who and when."""

    INTAKE = "intake"
    CLI = "cli"
    API = "api"
    WEB = "web"
    SYSTEM = "system"


class Plan(Labelled):
    """The shape of a rectification: fixed on the spot, or a dated roadmap."""

    IMMEDIATE = "immediate"
    ROADMAP = "roadmap"


class WarningLevel(Labelled):
    """预警等级: how serious a deadline warning is."""

    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"


class Watched(Labelled):
    """What a deadline warning is about."""

    DEADLINE = "deadline"
    MILESTONE = "milestone"


class Notice(Labelled):
    """What the supervising section sends a unit to press it: a supervision order or a circular."""

    ORDER = "order"
    CIRCULAR = "circular"


class AnswerRoute(Labelled):
    """How an answer reaches a public reporter: by the channel they reported through."""

    MAIL = "mail"
    WECHAT = "wechat"
    TRACKING_LOOKUP = "tracking_lookup"


class Satisfaction(Labelled):
    """回访满意度: what the reporter said of the answer, as 12345 hotlines ask after 回访."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class TypicalReason(Labelled):
    """典型案件: why a case is typical, in the notice's words (事关人民群众切身利益、社会影响较大
    或者群众关注度较高的典型案件进行重点跟踪督办)."""

    VITAL_INTERESTS = "vital_interests"
    SOCIAL_IMPACT = "social_impact"
    PUBLIC_ATTENTION = "public_attention"


class MechanismKind(Labelled):
    """建章立制: what a unit adopted so the same problem does not recur."""

    RULE = "rule"
    PROCEDURE = "procedure"
    MECHANISM = "mechanism"


class PlanKind(Labelled):
    """The plans the notice asks for: each unit's 整改方案 and the 工作方案."""

    RECTIFICATION_PLAN = "rectification_plan"
    WORK_PLAN = "work_plan"


class Trigger(Labelled):
    """Why the section presses a unit, in the notice's words (对查找问题不深入不具体，整治工作推进
    迟缓、敷衍塞责甚至拒不整改的，及时采取督办、通报等方式督促推进)."""

    SHALLOW = "shallow"
    SLOW = "slow"
    PERFUNCTORY = "perfunctory"
    REFUSING = "refusing"


class SpotCheckMethod(Labelled):
    """How a spot check (重点抽查) was done, in the notice's words (采取听取汇报、评查案卷、回访行政
    相对人、实地查看等方式)."""

    BRIEFING = "briefing"
    CASE_FILE_REVIEW = "case_file_review"
    PARTY_REVISIT = "party_revisit"
    SITE_VISIT = "site_visit"
    OTHER = "other"


class SpotCheckResult(Labelled):
    """What a spot check concluded about the unit's self-inspection and rectification."""

    SATISFACTORY = "satisfactory"
    BASICALLY_SATISFACTORY = "basically_satisfactory"
    UNSATISFACTORY = "unsatisfactory"


class Filing(Labelled):
    """What a unit must send the supervising section by a campaign due date."""

    LEDGER = "ledger"
    REPORT = "report"


_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "Channel": {
        "self_inspection": ("自查", "self-inspection"),
        "enterprise_visit": ("走访企业", "enterprise visit"),
        "symposium": ("座谈会", "symposium"),
        "website": ("局网站", "website"),
        "wechat": ("微信公众号", "WeChat"),
        "hotline": ("监督举报电话", "hotline"),
        "mailbox": ("举报邮箱", "report mailbox"),
        "spot_check": ("重点抽查", "spot check"),
        "oversight": ("执法监督", "enforcement supervision"),
        "audit": ("审计监督", "audit"),
        "reconsideration": ("行政复议应诉", "administrative reconsideration and litigation"),
        "central_inspection": ("中央依法治国办实地督察反馈", "central inspection"),
    },
    "Category": {
        "procedure": ("执法主体错误，程序不规范、程序违法", "wrong subject or unlawful procedure"),
        "over_inspection": (
            "行政执法频次过高，缺乏协调性和统一性，检查多、检查乱、多头检查",
            "too frequent or uncoordinated inspections",
        ),
        "inaction_or_arbitrary": ("执法不作为、乱作为", "inaction or arbitrary action"),
        "one_size_fits_all": ("“一刀切”执法、“运动式”执法", "one-size-fits-all enforcement"),
        "improper_intensity": (
            "过度执法、执法不严、执法不到位、选择性执法、驱利逐利执法",
            "excessive, lax, selective or profit-driven enforcement",
        ),
        "documents": ("行政执法文书适用不规范", "improper enforcement documents"),
        "overdue_cases": ("案件超期办理", "cases handled past their time limit"),
        "case_files": ("案卷资料保管不规范", "improper custody of case files"),
        "fault_liability": (
            "行政执法过错责任追究机制落实不到位",
            "fault liability not implemented",
        ),
        "three_systems": ("行政执法“三项制度”落实不到位", "three systems not implemented"),
        "uncivil": ("粗暴执法、不文明执法", "rough or uncivil enforcement"),
        "capability": (
            "执法人员能力不足，基层执法人员法律素养偏低，执法规范化水平不高",
            "insufficient staff capability",
        ),
        "other": ("其他行政执法不严格不规范不文明不透明问题", "other irregular or opaque conduct"),
    },
    "ProblemStatus": {
        "reported": ("已登记", "reported"),
        "triaged": ("已研判", "triaged"),
        "declined": ("不予受理", "declined"),
        "duplicate": ("重复问题", "duplicate"),
        "rectifying": ("整改中", "being rectified"),
        "fix_submitted": ("待验收", "fix submitted"),
        "verified": ("已整改", "verified"),
        "closed": ("已销号", "closed"),
    },
    "Via": {
        "intake": ("渠道受理", "intake"),
        "cli": ("命令行", "command line"),
        "api": ("接口", "API"),
        "web": ("网页", "web"),
        "system": ("系统自动", "system"),
    },
    "Plan": {
        "immediate": ("立行立改", "fixed on the spot"),
        "roadmap": ("时间表、路线图", "roadmap"),
    },
    "WarningLevel": {
        "blue": ("蓝色预警（临近时限）", "blue (deadline approaching)"),
        "yellow": ("黄色预警（节点滞后）", "yellow (milestone behind schedule)"),
        "red": ("红色预警（已超期）", "red (deadline missed)"),
    },
    "Watched": {
        "deadline": ("整改时限", "rectification deadline"),
        "milestone": ("路线图节点", "roadmap milestone"),
    },
    "Notice": {
        "order": ("督办", "supervision order"),
        "circular": ("通报", "circular"),
    },
    "AnswerRoute": {
        "mail": ("电子邮件回复", "e-mail reply"),
        "wechat": ("微信客服消息", "WeChat customer-service message"),
        "tracking_lookup": ("凭查询编号查询", "tracking-number lookup"),
    },
    "Satisfaction": {
        "satisfied": ("满意", "satisfied"),
        "basically_satisfied": ("基本满意", "basically satisfied"),
        "dissatisfied": ("不满意", "dissatisfied"),
    },
    "TypicalReason": {
        "vital_interests": ("事关人民群众切身利益", "concerns people's vital interests"),
        "social_impact": ("社会影响较大", "wide social impact"),
        "public_attention": ("群众关注度较高", "high public attention"),
    },
    "MechanismKind": {
        "rule": ("规章制度", "rule"),
        "procedure": ("工作流程", "procedure"),
        "mechanism": ("长效机制", "lasting mechanism"),
    },
    "PlanKind": {
        "rectification_plan": ("整改方案", "rectification plan"),
        "work_plan": ("工作方案", "work plan"),
    },
    "Trigger": {
        "shallow": ("查找问题不深入不具体", "problems not sought deeply or concretely"),
        "slow": ("整治工作推进迟缓", "slow progress"),
        "perfunctory": ("敷衍塞责", "perfunctory"),
        "refusing": ("拒不整改", "refusing to rectify"),
    },
    "SpotCheckMethod": {
        "briefing": ("听取汇报", "briefing"),
        "case_file_review": ("评查案卷", "case file review"),
        "party_revisit": ("回访行政相对人", "revisiting the parties"),
        "site_visit": ("实地查看", "site visit"),
        "other": ("其他方式", "other"),
    },
    "SpotCheckResult": {
        "satisfactory": ("自查整改到位", "self-inspection and rectification adequate"),
        "basically_satisfactory": ("基本到位，须补充整改", "broadly adequate, more to do"),
        "unsatisfactory": ("自查不深入、整改不到位", "shallow self-inspection, rectification "
                                                   "inadequate"),
    },
    "Filing": {
        "ledger": ("整改台账", "rectification ledger"),
        "report": ("专项整治行动情况报告", "campaign report"),
    },
}
