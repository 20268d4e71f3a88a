"""Reading commands are role-checked by the service: a unit's staff read only their unit, the
bureau's leaders, inspectors and the campaign office read everything, the system administrator
reads no business data; each refusal is a clear error and an audit record."""

from __future__ import annotations

from tests.identity.desk import OTHER_UNIT, OWN_UNIT, Desk


def test_a_units_staff_read_their_own_unit_only(desk: Desk) -> None:
    ours, theirs = desk.report(OWN_UNIT), desk.report(OTHER_UNIT)
    assert [e["type"] for e in desk.json("zhangsan", "history", ours)] == ["ProblemReported"]
    assert desk.cli("zhangsan", "ledger", "--unit", OWN_UNIT, "--format", "json").exit_code == 0
    assert desk.refusal("zhangsan", "history", theirs) == "forbidden"
    assert desk.refusal("zhangsan", "ledger", "--unit", OTHER_UNIT) == "forbidden"
    for whole in (["ledger"], ["stats"], ["board"], ["summary", "--format", "json"]):
        assert desk.refusal("zhangsan", *whole) == "forbidden", whole
    told = desk.cli("zhangsan", "stats")
    assert told.exit_code == 1
    assert "只能查阅本单位" in told.output


def test_leaders_inspectors_and_the_office_read_everything(desk: Desk) -> None:
    theirs = desk.report(OTHER_UNIT)
    for login in ("juzhang", "ducha", "wangke"):
        assert desk.cli(login, "stats", "--format", "json").exit_code == 0, login
        assert desk.json(login, "history", theirs)[0]["unit"] == OTHER_UNIT


def test_the_system_administrator_reads_no_business_data_and_refusals_are_audited(
        desk: Desk) -> None:
    problem = desk.report(OWN_UNIT)
    assert desk.refusal("xitong", "history", problem) == "forbidden"
    assert desk.refusal("xitong", "ledger", "--unit", OWN_UNIT) == "forbidden"
    assert desk.refusal(None, "stats") == "not_signed_in"
    told = desk.cli("xitong", "stats")
    assert "不查阅业务数据" in told.output
    refused = [r for r in desk.json("shenji", "audit")["records"]
               if r["action"] == "read" and r["result"] == "refused"]
    assert [(r["actor"], r["target"]) for r in refused][-4:] == [
        ("信息中心 系统管理员", f"read history {OWN_UNIT}"),
        ("信息中心 系统管理员", f"read ledger {OWN_UNIT}"),
        (None, "read stats 全部单位"), ("信息中心 系统管理员", "read stats 全部单位")]
