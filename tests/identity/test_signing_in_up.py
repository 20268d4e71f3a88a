"""Signing in against a real ``rectify up``: lockout, second factor, sessions that end at once,
actors taken from the session and never from the payload, separation of duties on person ids."""

from __future__ import annotations

import asyncio
import json
import shutil
import time

import nats

from events.subjects import command_subject
from services.runtime.bus import user_url
from tests.identity.desk import NEW_PASSWORD, OWN_UNIT, Desk


def test_five_wrong_passwords_lock_the_account_and_the_auditor_sees_it(desk: Desk) -> None:
    lisi = desk.enrol("lisi", "沁园分局 李四", OWN_UNIT, "unit_staff")
    for _ in range(5):
        assert desk.refusal(None, "login", lisi.login, "--password", "Wrong-Passw0rd") == \
            "bad_credentials"
    assert desk.refusal(None, "login", lisi.login, "--password", NEW_PASSWORD) == \
        "account_locked"
    records = desk.json("shenji", "audit", "--actor", "lisi")["records"]
    assert [r["result"] for r in records if r["action"] == "login"][-7:] == [
        "ok", "failed", "failed", "failed", "failed", "failed", "refused"]
    assert any(r["action"] == "lockout" for r in records)
    assert desk.refusal("wangke", "audit") == "forbidden"


def test_administrators_cannot_sign_in_without_a_one_time_code(desk: Desk) -> None:
    xitong = desk.people["xitong"]
    assert desk.refusal(None, "login", "xitong", "--password", NEW_PASSWORD) == "totp_required"
    assert desk.refusal(None, "login", "xitong", "--password", NEW_PASSWORD,
                        "--totp", "123456" if xitong.code() != "123456" else "654321") == \
        "bad_totp"


def test_a_signed_out_or_disabled_session_is_refused_at_once(desk: Desk) -> None:
    wang = desk.enrol("wangwu", "沁园分局 王五", OWN_UNIT, "unit_staff")
    problem = desk.report(OWN_UNIT)
    saved = desk.sessions / "saved.json"
    shutil.copy(desk.sessions / "wangwu.json", saved)
    assert desk.cli("wangwu", "logout").exit_code == 0
    assert desk.refusal("wangwu", "progress", problem, "--note", "进展") == "not_signed_in"
    shutil.copy(saved, desk.sessions / "wangwu.json")  # the old token, kept by someone
    assert desk.refusal("wangwu", "progress", problem, "--note", "进展") == "session_ended"

    desk.sign_in(wang, NEW_PASSWORD)
    assert desk.json("wangwu", "whoami")["login"] == "wangwu"
    desk.json("anquan", "staff", "disable", "wangwu", "--reason", "调离")
    assert desk.refusal("wangwu", "whoami") == "session_ended"
    assert desk.refusal(None, "login", "wangwu", "--password", NEW_PASSWORD) == \
        "account_disabled"


def test_a_command_claiming_someone_else_is_refused_and_recorded(desk: Desk) -> None:
    problem = desk.report(OWN_UNIT)
    assert desk.refusal("wangke", "triage", problem, "--as", "法规与科技标准科 赵干事") == \
        "actor_mismatch"
    forged = [r for r in desk.json("shenji", "audit", "--actor", "wangke")["records"]
              if r["action"] == "forged-actor"]
    assert forged[-1]["result"] == "refused"
    assert problem in forged[-1]["target"]
    assert len(desk.history(problem)) == 1


def test_a_bare_nats_request_naming_an_actor_is_refused(desk: Desk) -> None:
    problem = desk.report(OWN_UNIT)

    async def forge() -> dict[str, object]:
        client = await nats.connect(user_url(desk.up.data_dir, desk.url, "staff"))
        try:
            body = {"verb": "triage", "problem_id": problem, "actor": "法规与科技标准科 王科长"}
            reply = await client.request(command_subject("triage"), json.dumps(body).encode(),
                                         timeout=10)
        finally:
            await client.close()
        answer: dict[str, object] = json.loads(reply.data)
        return answer

    answer = asyncio.run(forge())
    assert answer["ok"] is False
    assert answer["error"]["code"] == "not_signed_in"  # type: ignore[index]
    assert len(desk.history(problem)) == 1


def test_the_actor_is_the_signed_in_person_and_duties_are_separated_by_id(desk: Desk) -> None:
    desk.json("anquan", "staff", "grant", "wangke", f"unit_staff@{OWN_UNIT}")
    twin = desk.enrol("wangke2", "法规与科技标准科 王科长", "法规与科技标准科", "campaign_office")
    ids = {login: desk.json(login, "whoami")["person_id"]
           for login in ("wangke", "zhaoganshi", twin.login)}
    problem = desk.report(OWN_UNIT)
    for line in (["triage", problem],
                 ["assign", problem, "--leader", "负责人", "--department", "法制股",
                  "--measures", "整改", "--deadline", "2099-12-31",
                  "--milestone", "2099-06-30:完成梳理"],
                 ["submit-fix", problem, "--summary", "已整改"]):
        desk.json("wangke", *line)
    assert desk.refusal("wangke", "verify", problem) == "self_verification"
    desk.json(twin.login, "verify", problem)  # the same display name, another person
    desk.json("zhaoganshi", "answer", problem, "--message", "已整改到位")
    assert desk.refusal("wangke", "close", problem) == "self_verification"
    desk.json("zhaoganshi", "close", problem)

    facts = {e["type"]: e for e in desk.history(problem)}
    assert facts["FixSubmitted"]["actor_id"] == ids["wangke"]
    assert facts["FixVerified"]["actor_id"] == ids[twin.login]
    assert facts["FixVerified"]["actor"] == facts["FixSubmitted"]["actor"]
    assert facts["ProblemClosed"]["actor_id"] == ids["zhaoganshi"]
    assert facts["ProblemClosed"]["actor"] == "法规与科技标准科 赵干事"


def test_what_nats_refused_is_in_the_audit_log(desk: Desk) -> None:
    async def overstep() -> None:
        client = await nats.connect(user_url(desk.up.data_dir, desk.url, "reader"),
                                    error_cb=ignore)
        try:
            await client.publish("cmd.problem.close", b"{}")
            await client.flush()
        finally:
            await client.close()

    asyncio.run(overstep())
    deadline = time.monotonic() + 10  # nats-server writes its log a moment later
    while not any(r["action"] == "bus-publish" and r["target"] == "cmd.problem.close"
                  for r in desk.json("shenji", "audit", "--actor", "reader")["records"]):
        assert time.monotonic() < deadline, "the violation never reached the audit log"
        time.sleep(0.1)


async def ignore(_: Exception) -> None:
    """The client is told too; this test reads the audit log instead."""
