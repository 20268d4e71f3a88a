"""Reporters' personal data behind the service's door: only a signed-in reporter-data reader,
with a stated purpose, sees it in full, and every access and refusal is in the audit log."""

from __future__ import annotations

import stat

from tests.identity.desk import OWN_UNIT, Desk


def file_a_website_report(desk: Desk) -> str:
    filed = desk.json("wangke", "report", "--unit", OWN_UNIT, "--channel", "website",
                      "--category", "uncivil", "--problem", "窗口人员态度生硬",
                      "--case", "办理许可时被呵斥", "--reporter-name", "刘芳",
                      "--reporter-phone", "13812345678")
    return str(filed["problem_id"])


def test_only_a_reader_with_a_purpose_sees_the_reporter_and_it_is_recorded(desk: Desk) -> None:
    problem = file_a_website_report(desk)
    assert "13812345678" not in str(desk.history(problem)[0])
    assert desk.json("wangke", "reporter", problem) == {"name": "刘*", "phone": "138****5678"}
    assert desk.refusal("wangke", "reporter", problem, "--purpose", "回访") == "forbidden"
    assert desk.refusal("xitong", "reporter", problem, "--purpose", "回访") == "forbidden"
    assert desk.refusal(None, "reporter", problem, "--purpose", "回访") == "not_signed_in"
    revealed = desk.json("chayue", "reporter", problem, "--purpose", "核实举报人身份以便回访")
    assert revealed == {"name": "刘芳", "phone": "13812345678"}

    unmasking = [r for r in desk.json("shenji", "audit")["records"] if r["action"] == "unmask"]
    assert [(r["actor"], r["result"]) for r in unmasking][-4:] == [
        ("法规与科技标准科 王科长", "refused"), ("信息中心 系统管理员", "refused"),
        (None, "refused"), ("信访科 郑科长", "ok")]
    assert unmasking[-1]["target"] == problem
    assert unmasking[-1]["detail"] == "核实举报人身份以便回访"


def test_the_data_directory_and_its_secrets_are_the_services_alone(desk: Desk) -> None:
    data_dir = desk.up.data_dir
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ("identity.sqlite3", "reporter.key", "events.sqlite"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name
