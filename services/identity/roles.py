"""Who may do what, on which unit: one table, read by casework, the CLI and the staff console.

A verb names an action (``problem.close``, ``unit.file``, ``staff.manage``). A person may do a
verb on a unit when one of their grants is for a role that may do it and covers that unit
(per-unit roles cover their own unit only). The three administrators hold no business role.
"""

from __future__ import annotations

from events.directory import Role
from services.identity.directory import Person

R = Role
_OFFICE = frozenset({R.CAMPAIGN_OFFICE})
_READERS = frozenset({R.CAMPAIGN_OFFICE, R.UNIT_STAFF, R.UNIT_LEADER, R.BUREAU_LEADER,
                      R.INSPECTOR, R.HOTLINE_OPERATOR, R.REPORTER_DATA_READER})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "problem.triage": _OFFICE,
    "problem.assign": _OFFICE,
    "problem.verify": _OFFICE,
    "problem.close": _OFFICE,
    "problem.reopen": _OFFICE,
    "problem.answer": _OFFICE,
    "problem.satisfaction": frozenset({R.CAMPAIGN_OFFICE, R.HOTLINE_OPERATOR}),
    "problem.propose": frozenset({R.UNIT_STAFF, R.UNIT_LEADER, R.CAMPAIGN_OFFICE}),
    "problem.confirm": _OFFICE,
    "problem.return": _OFFICE,
    "problem.progress": frozenset({R.UNIT_STAFF}),
    "problem.submit-fix": frozenset({R.UNIT_STAFF}),
    "problem.extend": frozenset({R.UNIT_LEADER}),
    "problem.request-extension": frozenset({R.UNIT_STAFF}),
    "problem.approve-extension": frozenset({R.UNIT_LEADER}),
    "problem.refuse-extension": frozenset({R.UNIT_LEADER}),
    # unit staff record the ledger's filing (填报人、电话、填报时间) as they import the ledger
    "unit.file": frozenset({R.UNIT_LEADER, R.UNIT_STAFF, R.CAMPAIGN_OFFICE}),
    "unit.spot-check": _OFFICE,
    "unit.spot-check-result": frozenset({R.CAMPAIGN_OFFICE, R.INSPECTOR}),
    "notice.issue": _OFFICE,  # the notice: only the campaign office issues orders and circulars
    "notice.respond": frozenset({R.UNIT_STAFF, R.UNIT_LEADER}),
    "notice.read": frozenset({R.UNIT_STAFF, R.UNIT_LEADER}),
    "unit.mechanism": frozenset({R.UNIT_STAFF, R.UNIT_LEADER, R.CAMPAIGN_OFFICE}),
    "unit.plan": frozenset({R.UNIT_LEADER, R.CAMPAIGN_OFFICE}),
    "intake.report": frozenset({R.HOTLINE_OPERATOR, R.CAMPAIGN_OFFICE}),
    "intake.import": frozenset({R.UNIT_STAFF, R.CAMPAIGN_OFFICE}),
    "read": _READERS,
    "reporter.unmask": frozenset({R.REPORTER_DATA_READER}),
    "staff.manage": frozenset({R.SECURITY_ADMIN}),
    "audit.read": frozenset({R.AUDIT_ADMIN}),
    "system.operate": frozenset({R.SYSTEM_ADMIN}),
}
"""Verb → the roles that may do it. A verb not listed here is allowed to nobody."""

VERB_LABELS: dict[str, tuple[str, str]] = {
    "problem.triage": ("分类研判", "triage"), "problem.assign": ("交办整改", "assign"),
    "problem.verify": ("验收", "verify"), "problem.close": ("销号", "close"),
    "problem.reopen": ("重新打开", "reopen"), "problem.answer": ("答复举报人", "answer"),
    "problem.satisfaction": ("回访满意度", "record satisfaction"),
    "problem.propose": ("提出整改方案", "propose the four determinations"),
    "problem.confirm": ("确认整改方案", "confirm a proposal"),
    "problem.return": ("退回整改方案", "return a proposal"),
    "problem.progress": ("报送进展", "note progress"),
    "problem.submit-fix": ("提交整改结果", "submit a fix"),
    "problem.extend": ("批准延期", "extend"),
    "problem.request-extension": ("申请延期", "request an extension"),
    "problem.approve-extension": ("批准延期申请", "approve an extension request"),
    "problem.refuse-extension": ("不予批准延期申请", "refuse an extension request"),
    "unit.file": ("报送台账", "file"), "unit.spot-check": ("抽查", "spot-check"),
    "unit.spot-check-result": ("记录抽查结果", "record a spot check's result"),
    "notice.issue": ("下发督办、通报", "issue an order or circular"),
    "notice.respond": ("回复督办、通报", "respond to an order or circular"),
    "notice.read": ("阅知督办、通报", "mark an order or circular read"),
    "unit.mechanism": ("建章立制", "record a mechanism"),
    "unit.plan": ("报送整改方案、工作方案", "file a plan"),
    "intake.report": ("代为登记问题", "file a report"),
    "intake.import": ("导入自查台账", "import a ledger"), "read": ("查阅", "read"),
    "reporter.unmask": ("查看举报人信息", "unmask a reporter"),
    "staff.manage": ("管理账号与角色", "manage accounts"),
    "audit.read": ("查阅审计日志", "read the audit log"),
    "system.operate": ("运维系统", "operate the system"),
}


def may(person: Person, verb: str, unit: str | None = None) -> bool:
    """Whether ``person`` may do ``verb`` on ``unit`` (None: an action not about one unit)."""
    if not person.active:
        return False
    allowed = PERMISSIONS.get(verb, frozenset())
    return any(g.role in allowed and ((unit is None and not g.role.per_unit) or g.covers(unit))
               for g in person.grants)


def verb_label(verb: str, lang: str = "zh") -> str:
    zh, en = VERB_LABELS.get(verb, (verb, verb))
    return zh if lang == "zh" else en


def conflicting_grant(person: Person, role: Role) -> Role | None:
    """三员分立: an administrator holds one administrator role and no business role."""
    for held in {g.role for g in person.grants} - {role}:
        if role.administrator or held.administrator:
            return held
    return None
