"""Reports staff file through INTAKE are checked against the signed-in session by casework:
the filer is the person the service vouched for (their ticket), "on behalf of" names whom they
filed for, and a message claiming another filer, or a staff report without a valid ticket, is
refused (REJECTED) and audited."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import nats

from events.identity import intake_key, problem_id_for
from events.subjects import HEADER_INTAKE_TICKET, HEADER_MSG_ID, REJECTED_STREAM, intake_subject
from events.submission import IntakeSubmission
from events.vocabulary import Category, Channel
from services.intake.prepared import prepare
from services.runtime.bus import user_url
from tests.identity.desk import OTHER_UNIT, OWN_UNIT, Desk
from tests.integration.harness import wait_until


def test_a_hotline_operator_files_for_the_caller_as_themselves(desk: Desk) -> None:
    filed = desk.json("rexian", "hotline", "--ticket", "HL-0001", "--unit", OWN_UNIT,
                      "--problem", "执法人员态度粗暴", "--case", "来电反映检查时大声呵斥",
                      "--caller-name", "刘芳", "--caller-phone", "13812345678")
    reported = desk.history(filed["problem_id"])[0]
    operator = _person_id(desk, "rexian")
    assert (reported["actor"], reported["actor_id"]) == ("12345热线 吴接线员", operator)
    assert reported["on_behalf_of"] == "刘*"
    assert reported["reporter"]["masked_phone"] == "138****5678"
    assert "13812345678" not in json.dumps(reported)


def test_a_ledger_import_is_filed_by_the_importer_for_the_units_filler(desk: Desk) -> None:
    filed = desk.json("zhangsan", "report", "--unit", OWN_UNIT, "--channel", "self_inspection",
                      "--category", "procedure", "--problem", "未告知陈述申辩权利",
                      "--case", "某案处罚前未告知")
    reported = desk.history(filed["problem_id"])[0]
    assert (reported["actor"], reported["actor_id"], reported["on_behalf_of"]) == (
        "沁园分局 张三", _person_id(desk, "zhangsan"), None)
    # Another unit's findings are not theirs to file: refused before anything is published.
    assert desk.refusal("zhangsan", "report", "--unit", OTHER_UNIT, "--channel",
                        "self_inspection", "--category", "procedure", "--problem", "越权登记",
                        "--case", "为他单位登记") == "forbidden"


def test_a_message_claiming_another_filer_is_refused_and_audited(desk: Desk) -> None:
    before = asyncio.run(_rejected_count(desk))
    token = json.loads((desk.sessions / "rexian.json").read_text("utf-8"))["token"]
    # The operator's own ticket, on a message that says the office's 王科长 filed it; then a
    # staff finding with no ticket at all, naming the office.
    forged = asyncio.run(_publish(desk, "法规与科技标准科 王科长", Channel.HOTLINE,
                                  ticket_for=("12345热线 吴接线员", token)))
    unvouched = asyncio.run(_publish(desk, "法规与科技标准科 王科长", Channel.OVERSIGHT))

    async def both_rejected() -> bool:
        return await _rejected_count(desk) >= before + 2

    asyncio.run(wait_until(both_rejected, timeout=30, what="both forged reports in REJECTED"))
    for channel, intake_id in (forged, unvouched):
        assert desk.cli("wangke", "history", str(problem_id_for(channel, intake_id)),
                        "--format", "json").exit_code != 0
    audit = [r for r in desk.json("shenji", "audit")["records"]
             if r["action"] in ("forged-actor", "forged-intake")]
    assert [(r["action"], r["actor"]) for r in audit][-2:] == [
        ("forged-actor", "12345热线 吴接线员"), ("forged-intake", None)]


def _person_id(desk: Desk, login: str) -> str:
    return str(desk.json(login, "whoami")["person_id"])


async def _publish(desk: Desk, filed_by: str, channel: Channel,
                   ticket_for: tuple[str, str] | None = None) -> tuple[Channel, str]:
    """A report published straight to INTAKE with the CLI's NATS user, as a script could."""
    client = await nats.connect(user_url(desk.up.data_dir, desk.url, "staff"))
    try:
        intake_id = f"forged-{uuid.uuid4()}"
        headers = {HEADER_MSG_ID: intake_key(channel, intake_id)}
        if ticket_for is not None:
            name, token = ticket_for
            _, [ready] = await prepare(client, token, channel, OWN_UNIT, name,
                                       [{"intake_id": intake_id}])
            headers[HEADER_INTAKE_TICKET] = ready.ticket
        submission = IntakeSubmission(
            channel=channel, intake_id=intake_id, unit=OWN_UNIT, category=Category.UNCIVIL,
            problem="冒名登记", case="声称由他人登记", submitted_at=datetime.now(UTC),
            filed_by=filed_by)
        await client.jetstream().publish(intake_subject(channel),
                                         submission.model_dump_json().encode(), headers=headers)
        return channel, intake_id
    finally:
        await client.close()


async def _rejected_count(desk: Desk) -> int:
    client = await nats.connect(user_url(desk.up.data_dir, desk.url, "admin"))
    try:
        return int((await client.jetstream().stream_info(REJECTED_STREAM)).state.last_seq)
    finally:
        await client.close()
