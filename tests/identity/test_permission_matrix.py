"""Every role × every staff command × own unit / another unit, through the CLI, signed in,
against a real ``rectify up``: what is refused is refused as forbidden and records nothing
but a security event; what is allowed gets past the check."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.identity.conftest import ROLE_HOLDERS
from tests.identity.desk import OTHER_UNIT, OWN_UNIT, Desk

Args = Callable[[str], list[str]]
"""The command line for one verb, given the problem id (or the unit, for unit verbs)."""

PROBLEM_VERBS: dict[str, Args] = {
    "triage": lambda p: ["triage", p],
    "assign": lambda p: ["assign", p, "--leader", "负责人", "--department", "法制股",
                         "--measures", "整改", "--deadline", "2099-12-31"],
    "progress": lambda p: ["progress", p, "--note", "进展"],
    "extend": lambda p: ["extend", p, "--deadline", "2100-01-31", "--reason", "案卷多",
                         "--approved-by", "负责人"],
    "request-extension": lambda p: ["extension", "request", p, "--deadline", "2100-01-31",
                                    "--reason", "案卷多"],
    "approve-extension": lambda p: ["extension", "approve", p],
    "refuse-extension": lambda p: ["extension", "refuse", p, "--reason", "可并行办理"],
    "submit-fix": lambda p: ["submit-fix", p, "--summary", "已整改"],
    "verify": lambda p: ["verify", p],
    "close": lambda p: ["close", p],
    "reopen": lambda p: ["reopen", p, "--reason", "回潮"],
    "answer": lambda p: ["answer", p, "--message", "已处理"],
    "satisfaction": lambda p: ["satisfaction", p, "--level", "满意"],
    "propose": lambda p: ["propose", p, "--measures", "逐案复查"],
    "confirm": lambda p: ["confirm", p, "--leader", "负责人", "--department", "法制股",
                          "--deadline", "2099-12-31", "--milestone", "2099-12-01:复查"],
    "return": lambda p: ["return", p, "--reason", "措施不具体"],
}
UNIT_VERBS: dict[str, Args] = {
    "file": lambda u: ["campaign", "filed", u, "ledger"],
    "spot-check": lambda u: ["spot-check", "select", u, "--reason", "零报告"],
    "spot-check-result": lambda u: ["spot-check", "record", u, "--method", "听取汇报",
                                    "--findings", "台账齐全", "--result", "自查整改到位"],
    "mechanism": lambda u: ["mechanism", u, "--title", "案件集体讨论制度", "--kind", "规章制度",
                            "--adopted-on", "2023-04-12"],
}
NOTICE_VERBS: dict[str, Callable[[str, str], list[str]]] = {
    "issue": lambda p, u: ["order", "--problem", p, "--reason", "迟缓",
                                   "--trigger", "整治工作推进迟缓"],
    "issue-to-unit": lambda p, u: ["circular", "--unit", u, "--reason", "通报"],
    "respond": lambda p, u: ["respond", "--problem", p, "--order", "1", "--response", "已整改"],
    "read": lambda p, u: ["read", "--unit", u, "--circular", "1"],
}
"""Orders and circulars, one family: on a problem or on a unit (``notice.<verb>``)."""

ALL, OWN = "all units", "own unit only"
SPECIFICATION: dict[str, dict[str, str]] = {
    "campaign_office": {
        **{f"problem.{v}": ALL for v in ("triage", "assign", "verify", "close", "reopen",
                                           "answer", "satisfaction", "propose", "confirm",
                                           "return")},
        **{f"unit.{v}": ALL for v in ("file", "spot-check", "spot-check-result", "mechanism")},
        "notice.issue": ALL, "notice.issue-to-unit": ALL},
    "unit_staff": {"problem.progress": OWN, "problem.submit-fix": OWN, "notice.respond": OWN,
                   "notice.read": OWN, "problem.propose": OWN, "unit.mechanism": OWN,
                   "problem.request-extension": OWN, "unit.file": OWN},
    "unit_leader": {"problem.extend": OWN, "notice.respond": OWN, "unit.file": OWN,
                    "notice.read": OWN, "problem.propose": OWN, "unit.mechanism": OWN,
                    "problem.approve-extension": OWN, "problem.refuse-extension": OWN},
    "inspector": {"unit.spot-check-result": ALL},
    "bureau_leader": {}, "hotline_operator": {"problem.satisfaction": ALL},
    "reporter_data_reader": {},
    "system_admin": {}, "security_admin": {}, "audit_admin": {},
}
"""Who may do what: the notice's organisation (issue 11), written out independently."""

IDENTITY_REFUSALS = {"forbidden", "not_signed_in", "actor_mismatch", "session_ended"}


def cells(desk: Desk, problems: dict[str, str]) -> list[tuple[str, str, str, list[str], bool]]:
    """(login, verb, unit, command line, allowed) for every role, verb and unit."""
    holders = [(login, role) for login, _, _, role in ROLE_HOLDERS] + [
        ("anquan", "security_admin")]
    table = []
    for login, role in holders:
        allowed = SPECIFICATION[role]
        for unit in (OWN_UNIT, OTHER_UNIT):
            verbs = [(f"problem.{v}", args(problems[unit])) for v, args in PROBLEM_VERBS.items()]
            verbs += [(f"unit.{v}", args(unit)) for v, args in UNIT_VERBS.items()]
            verbs += [(f"notice.{v}", notice_args(problems[unit], unit))
                      for v, notice_args in NOTICE_VERBS.items()]
            for verb, line in verbs:
                scope = allowed.get(verb)
                table.append((login, verb, unit, line,
                              scope == ALL or (scope == OWN and unit == OWN_UNIT)))
    return table


def refused_commands(desk: Desk) -> int:
    """How many refused commands the audit log holds (read by the audit administrator)."""
    records = desk.json("shenji", "audit")["records"]
    return sum(r["action"] == "command" and r["result"] == "refused" for r in records)


def test_every_role_may_do_exactly_its_verbs_on_its_units(desk: Desk) -> None:
    problems = {unit: desk.report(unit) for unit in (OWN_UNIT, OTHER_UNIT)}
    table = cells(desk, problems)
    refused = [cell for cell in table if not cell[4]]
    audited = refused_commands(desk)
    recorded_before = desk.json("wangke", "status")["store_position"]

    wrongly = [(login, verb, unit, code) for login, verb, unit, line, _ in refused
               if (code := desk.refusal(login, *line)) != "forbidden"]
    assert wrongly == []
    for unit, problem in problems.items():
        assert [e["type"] for e in desk.history(problem)] == ["ProblemReported"], unit
    assert desk.json("wangke", "status")["store_position"] == recorded_before
    assert refused_commands(desk) - audited == len(refused)

    outcomes = []
    for login, verb, unit, line, _ in (cell for cell in table if cell[4]):
        done = desk.cli(login, *line, "--format", "json")
        refusal = None if done.exit_code == 0 else json.loads(done.stdout)["error"].get("code")
        outcomes.append((login, verb, unit, refusal))
    assert [o for o in outcomes if o[3] in IDENTITY_REFUSALS] == []
    recorded = {(login, verb) for login, verb, _, code in outcomes if code is None}
    assert {("wangke", "problem.triage"), ("wangke", "notice.issue"),
            ("wangke", "notice.issue-to-unit"), ("qyfzr", "unit.file")} <= recorded
