"""The staff console in a real browser against a real ``rectify up``: a public report's whole
life by three people, unit scope, sign-in, send-back, extension, evidence limits."""

from __future__ import annotations

import hashlib
import io
import stat
import struct
import time
import urllib.request
import zipfile
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Browser

from projections.models.facts import CHINA_TIME
from tests.console.browser import Visitor
from tests.console.conftest import OTHER, OWN
from tests.identity.desk import NEW_PASSWORD, Desk

pytestmark = pytest.mark.integration


def png(width: int, height: int, seed: int = 0) -> bytes:
    """A real PNG picture (noise, so it does not compress away)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(
        b"\x00" + hashlib.shake_256(f"{seed}:{y}".encode()).digest(width * 3) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 0))
        + chunk(b"IEND", b"")
    )


def public_report(desk: Desk, unit: str, text: str) -> str:
    answer = desk.json(
        "rexian",
        "report",
        "--unit",
        unit,
        "--channel",
        "hotline",
        "--category",
        "uncivil",
        "--problem",
        text,
        "--case",
        "来电反映检查时大声呵斥",
        "--reporter-name",
        "张三丰",
        "--reporter-phone",
        "13812345678",
    )
    return str(answer["problem_id"])


def signed_in(browser: Browser, url: str, login: str) -> Visitor:
    visitor = Visitor.open(browser, url, login)
    visitor.sign_in(login, NEW_PASSWORD)
    return visitor


def timeline(visitor: Visitor) -> list[list[str]]:
    rows: list[list[str]] = visitor.page.eval_on_selector_all(
        "table.timeline tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))",
    )
    return rows


def assign(office: Visitor, problem: str, *, immediate: bool = False) -> None:
    office.goto(f"/problems/{problem}", "to-assign")
    leaders = office.page.eval_on_selector_all(
        "datalist#leaders option", "options => options.map(o => [o.value, o.label])")
    assert leaders[0][0] == "沁园分局 负责人", leaders  # the unit's leader, from the directory
    assert OWN in leaders[0][1]
    office.page.fill("form[action$='/assign'] input[name=leader]", "沁园分局 负责人")
    office.page.fill("form[action$='/assign'] input[name=department]", "法制股")
    office.page.fill(
        "form[action$='/assign'] textarea[name=measures]", "约谈当事执法人员，开展文明执法培训"
    )
    office.page.fill("form[action$='/assign'] input[name=deadline]", "2026年12月31日")
    if immediate:
        office.page.check("form[action$='/assign'] input[name=immediate]")
    else:
        office.page.fill("form[action$='/assign'] textarea[name=milestones]", "2026-12-10:完成培训")
    office.submit("assign", "assigned")
    assert "已记录" in office.notice(), office.notice()


def submit_fix(unit: Visitor, problem: str, files: list[dict[str, Any]]) -> None:
    unit.goto(f"/problems/{problem}", "to-fix")
    unit.page.fill(
        "form[action$='/submit-fix'] textarea[name=summary]", "已约谈当事人并组织全员培训"
    )
    unit.page.set_input_files("form[action$='/submit-fix'] input[name=evidence]", files)  # type: ignore[arg-type]
    unit.submit("submit-fix", "fix-submitted")


def test_a_public_report_lives_its_whole_life_through_the_console(
    desk: Desk, console_url: str, browser: Browser, tmp_path: Path
) -> None:
    problem = public_report(desk, OWN, "执法人员检查时态度粗暴")

    office = signed_in(browser, console_url, "wangke")
    assert office.path() == "/office"
    inbox = office.page.locator("section", has_text="待研判的新问题")
    row = inbox.locator("tr", has_text="执法人员检查时态度粗暴")
    assert "监督举报电话" in row.inner_text()
    assert "张*" in row.inner_text()
    assert "138****5678" in row.inner_text()
    assert "张三丰" not in office.page.content()
    assert "13812345678" not in office.page.content()
    tracking = row.locator("td.mono").inner_text()
    assert tracking.startswith("R-")

    office.goto(f"/problems/{problem}", "to-triage")
    office.page.fill(
        "form[action$='/triage'] textarea[name=root_cause]", "执法人员文明执法意识不强"
    )
    office.page.check("form[action$='/triage'] input[name=typical]")
    office.page.check("form[action$='/triage'] input[name=typical_reasons][value=public_attention]")
    office.submit("triage", "triaged")
    assert "已记录" in office.notice()
    assign(office, problem)

    unit = signed_in(browser, console_url, "zhangsan")
    assert unit.path() == "/unit"
    assert unit.page.locator("tr", has_text="执法人员检查时态度粗暴").count() == 1
    unit.goto(f"/problems/{problem}", "to-progress")
    unit.page.fill("form[action$='/progress'] textarea[name=note]", "已完成全员文明执法培训")
    unit.page.select_option("form[action$='/progress'] select[name=milestone]", "1")
    unit.submit("progress", "progress")
    photo = png(64, 48)
    submit_fix(unit, problem, [{"name": "整改现场.png", "mimeType": "image/png", "buffer": photo}])
    assert "已记录" in unit.notice(), unit.notice()
    link = unit.page.locator("dl.facts a", has_text="整改现场.png")
    with unit.page.expect_download() as download:
        link.click()
    saved = tmp_path / "photo.png"
    download.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(photo).hexdigest()

    verifier = signed_in(browser, console_url, "zhaoganshi")
    queue = verifier.page.locator("section", has_text="待验收")
    queue.locator("a", has_text="执法人员检查时态度粗暴").click()
    verifier.look("to-verify")
    verifier.submit("verify", "verified")
    verifier.page.fill(
        "form[action$='/answer'] textarea[name=message]",
        "您反映的问题已整改，当事执法人员已被约谈并参加培训。",
    )
    verifier.submit("answer", "answered")
    verifier.submit("close", "closed")
    assert verifier.page.locator("dd.status").inner_text() == "已销号"

    steps = {(row[1], row[2]) for row in timeline(verifier)}
    assert {
        ("问题登记", "12345热线 吴接线员"),
        ("分类研判", "法规与科技标准科 王科长"),
        ("交办整改（四定）", "法规与科技标准科 王科长"),
        ("完成节点", "沁园分局 张三"),
        ("提交整改结果", "沁园分局 张三"),
        ("验收通过", "法规与科技标准科 赵干事"),
        ("答复举报人", "法规与科技标准科 赵干事"),
        ("销号", "法规与科技标准科 赵干事"),
    } <= steps, steps
    assert all(
        row[3] == "网页"
        for row in timeline(verifier)
        if row[2] in ("法规与科技标准科 王科长", "沁园分局 张三")
    ), timeline(verifier)

    unit.goto(f"/ledger?unit={OWN}", "ledger")
    assert unit.page.locator("table.ledger tr", has_text="执法人员检查时态度粗暴").count() == 1
    with unit.page.expect_download() as download:
        unit.page.click("a.button[href^='/ledger.xlsx']")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    cells = [str(c.value) for sheet in workbook for r in sheet.iter_rows() for c in r if c.value]
    assert "执法人员检查时态度粗暴" in cells
    assert "约谈当事执法人员，开展文明执法培训" in cells

    yesterday = (datetime.now(CHINA_TIME) - timedelta(days=1)).date()
    unit.goto(f"/ledger?unit={OWN}&as_of={yesterday.isoformat()}", "ledger-yesterday")
    assert "截至" in unit.notice()
    assert unit.page.locator("table.ledger tr", has_text="执法人员检查时态度粗暴").count() == 0


def test_a_unit_cannot_see_open_or_act_on_another_units_problem(
    desk: Desk, console_url: str, browser: Browser
) -> None:
    theirs = public_report(desk, OWN, "沁园分局的问题不给玉泉看")
    other = signed_in(browser, console_url, "yqstaff")
    assert other.path() == "/unit"
    assert "沁园分局的问题不给玉泉看" not in other.page.content()

    response = other.page.goto(f"{console_url}/problems/{theirs}")
    assert response is not None
    assert response.status == 403
    other.look("forbidden", 403)
    assert "无权" in other.page.content()
    assert "沁园分局的问题不给玉泉看" not in other.page.content()

    other.goto("/unit", "own-unit")
    token = other.page.eval_on_selector("input[name=csrf]", "e => e.value")
    acted = other.page.request.post(
        f"{console_url}/problems/{theirs}/progress", form={"csrf": token, "note": "越权报送"}
    )
    assert acted.status == 403
    assert "ProgressNoted" not in [e["type"] for e in desk.history(theirs)]
    ledger = other.page.request.get(f"{console_url}/ledger.xlsx?unit={OWN}")
    assert ledger.status == 403

    records = desk.json("shenji", "audit", "--actor", "yqstaff")["records"]
    refused = [r for r in records if r["action"] == "console-access" and r["result"] == "refused"]
    assert len(refused) >= 3
    assert any(theirs in (r["target"] or "") for r in refused)


def test_signed_out_and_ended_sessions_go_to_sign_in(
    desk: Desk, console_url: str, browser: Browser
) -> None:
    stranger = Visitor.open(browser, console_url, "stranger")
    stranger.goto("/office", "signed-out")
    assert stranger.path() == "/login"
    stranger.page.fill("input[name=login]", "wangke")
    stranger.page.fill("input[name=password]", "Wrong-Passw0rd")
    stranger.page.click("form[action='/login'] button[type=submit]")
    stranger.look("wrong-password")
    assert "登录名或口令错误" in stranger.notice()

    page = stranger.page.goto(f"{console_url}/login")
    assert page is not None
    headers = page.headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    cookie = next(c for c in stranger.page.context.cookies() if c["name"] == "rectify_console")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    forged = stranger.page.request.post(f"{console_url}/login", form={
        "csrf": "not-the-token", "login": "wangke", "password": NEW_PASSWORD})
    assert forged.status == 403

    person = desk.enrol("leaving", "沁园分局 调离人员", OWN, "unit_staff")
    leaving = signed_in(browser, console_url, person.login)
    leaving.page.click("header form[action='/logout'] button")
    leaving.page.wait_for_url("**/login")
    leaving.goto("/unit", "after-sign-out")
    assert leaving.path() == "/login"

    leaving.sign_in(person.login, NEW_PASSWORD)
    desk.json("anquan", "staff", "disable", person.login, "--reason", "调离")
    leaving.goto("/unit", "ended-session")
    assert leaving.path() == "/login"


def test_send_back_extension_and_evidence_limits(
    desk: Desk, console_url: str, browser: Browser
) -> None:
    problem = public_report(desk, OWN, "执法记录仪未全程开启")
    office = signed_in(browser, console_url, "wangke")
    assign(office, problem)

    leader = signed_in(browser, console_url, "qyfzr")
    leader.goto(f"/problems/{problem}", "to-extend")
    leader.page.fill("form[action$='/extend'] input[name=deadline]", "2027年1月31日")
    leader.page.fill("form[action$='/extend'] textarea[name=reason]", "需配合上级统一采购设备")
    leader.submit("extend", "extended")
    assert "2027年1月31日" in leader.page.locator("dl.facts").inner_text()
    assert ("延期", "沁园分局 负责人") in {(r[1], r[2]) for r in timeline(leader)}
    leader.goto("/trail", "leader-trail")
    done = leader.page.locator("table.actions-done").inner_text()
    assert "延期" in done
    assert problem[:8] in done
    assert OWN in leader.page.locator("table.figures").inner_text()

    unit = signed_in(browser, console_url, "zhangsan")
    submit_fix(
        unit, problem, [{"name": "大照片.png", "mimeType": "image/png", "buffer": png(200, 120)}]
    )
    refusal = unit.notice()
    assert "文件过大" in refusal, refusal
    assert "不得超过 51 KB" in refusal, refusal
    assert "FixSubmitted" not in [e["type"] for e in desk.history(problem)]
    submit_fix(
        unit,
        problem,
        [{"name": "说明.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"}],
    )
    assert "不支持的文件类型" in unit.notice()
    submit_fix(
        unit,
        problem,
        [{"name": "记录仪.png", "mimeType": "image/png", "buffer": png(16, 16, seed=1)}],
    )
    assert "已记录" in unit.notice()

    verifier = signed_in(browser, console_url, "zhaoganshi")
    verifier.goto(f"/problems/{problem}", "to-send-back")
    verifier.page.check("form[action$='/verify'] input[value=reject]")
    verifier.submit("verify", "send-back-without-reason")
    assert "退回须说明理由" in verifier.notice()
    verifier.page.check("form[action$='/verify'] input[value=reject]")
    verifier.page.fill(
        "form[action$='/verify'] textarea[name=reason]", "佐证材料不足，请补充培训签到表"
    )
    verifier.submit("verify", "sent-back")

    unit.goto("/unit", "after-send-back")
    row = unit.page.locator("tr", has_text="执法记录仪未全程开启")
    assert "整改中" in row.inner_text()
    unit.goto(f"/problems/{problem}", "sent-back-problem")
    assert "佐证材料不足" in unit.page.locator("table.timeline").inner_text()
    assert unit.page.locator("form[action$='/submit-fix']").count() == 1


def test_english_on_request(desk: Desk, console_url: str, browser: Browser) -> None:
    visitor = Visitor.open(browser, console_url, "english")
    visitor.goto("/login?lang=en", "login-en")
    assert "Sign in" in visitor.page.content()
    visitor.goto("/login", "login-en-remembered")
    assert visitor.page.locator("h1").inner_text() == "Sign in"
    visitor.sign_in("wangke", NEW_PASSWORD)
    assert visitor.page.locator("h2").first.inner_text().startswith("New reports to triage")
    problem = public_report(desk, OTHER, "英文页面用问题")
    visitor.goto(f"/problems/{problem}", "problem-en")
    assert "Assign (four determinations)" in visitor.page.content()
    assert "\treported\t" in visitor.page.locator("table.timeline").inner_text()
    for path, heading in (("/summary", "Campaign summary"),
                          ("/plans", "Rectification and work plans"),
                          ("/import", "Import a self-inspection ledger")):
        visitor.goto(path, f"{path.strip('/')}-en")
        assert visitor.page.locator("h1").inner_text().startswith(heading)


def test_an_administrator_needs_the_one_time_code(
        desk: Desk, console_url: str, browser: Browser) -> None:
    admin = desk.people["anquan"]
    visitor = Visitor.open(browser, console_url, "admin")
    visitor.goto("/login", "admin-login")
    visitor.page.fill("input[name=login]", admin.login)
    visitor.page.fill("input[name=password]", NEW_PASSWORD)
    with visitor.page.expect_navigation():
        visitor.page.click("form[action='/login'] button[type=submit]")
    visitor.look("admin-without-code")
    assert "动态口令" in visitor.notice()
    visitor.sign_in(admin.login, NEW_PASSWORD, admin.code())
    assert visitor.path() == "/account"


def test_orders_search_and_the_reporter_behind_a_stated_purpose(
        desk: Desk, console_url: str, browser: Browser) -> None:
    problem = public_report(desk, OWN, "检查后未出具执法文书")
    office = signed_in(browser, console_url, "wangke")
    tracking = office.page.locator("tr", has_text="检查后未出具执法文书").locator(
        "td.mono").inner_text()
    office.goto(f"/problems/{problem}", "to-order")
    office.page.select_option("form[action='/notices/issue'] select[name=notice]", "order")
    office.page.check("form[action='/notices/issue'] input[name=trigger][value=slow]")
    office.page.fill("form[action='/notices/issue'] textarea[name=reason]", "请三日内说明情况")
    office.page.fill("form[action='/notices/issue'] input[name=due]", "2026年12月20日")
    office.submit("issue", "ordered")
    assert ("下发督办/通报", "法规与科技标准科 王科长") in {(r[1], r[2]) for r in timeline(office)}
    assert "整治工作推进迟缓" in office.page.locator("table.notices").inner_text()

    staff = signed_in(browser, console_url, "zhangsan")
    order = staff.page.locator("section", has_text="待回复的督办、通报").locator(
        "tr", has_text="请三日内说明情况")
    assert "2026年12月20日" in order.inner_text()
    order.locator("a").click()
    staff.look("to-respond")
    staff.page.fill("form[action$='/respond'] textarea[name=response]", "已核实，正在补发文书")
    staff.submit("respond", "responded")
    assert "已核实，正在补发文书" in staff.page.locator("table.notices").inner_text()
    assert ("回复督办/通报", "沁园分局 张三") in {(r[1], r[2]) for r in timeline(staff)}
    staff.goto("/unit", "no-order-waiting")
    assert staff.page.locator("section", has_text="待回复的督办、通报").count() == 0

    office.goto(f"/search?q={tracking.lower().replace('-', '')}", "search-tracking")
    assert office.page.locator("table.list tr", has_text="检查后未出具执法文书").count() == 1
    other = signed_in(browser, console_url, "yqstaff")
    other.goto("/search?q=检查后未出具执法文书", "search-other-unit")
    assert other.page.locator("table.list").count() == 0

    reader = signed_in(browser, console_url, "chayue")
    reader.goto(f"/problems/{problem}", "to-unmask")
    assert "张三丰" not in reader.page.content()
    reader.page.fill("form[action$='/unmask'] input[name=purpose]", "核实举报人身份以便电话回访")
    reader.submit("unmask", "unmasked")
    revealed = reader.page.locator(".revealed").inner_text()
    assert "张三丰" in revealed
    assert "13812345678" in revealed
    reader.goto(f"/problems/{problem}", "masked-again")
    assert "张三丰" not in reader.page.content()
    records = desk.json("shenji", "audit", "--actor", "chayue")["records"]
    assert any(r["action"] == "unmask" and r["detail"] == "核实举报人身份以便电话回访"
               for r in records)


def test_stats_charts_and_the_board_for_those_who_read_every_unit(
        desk: Desk, console_url: str, browser: Browser) -> None:
    public_report(desk, OTHER, "玉泉分局统计用问题")
    office = signed_in(browser, console_url, "wangke")
    office.goto("/stats", "stats")
    charts = office.page.locator("svg.chart")
    assert charts.count() == 4
    closure = charts.nth(0).inner_html()
    assert OWN in closure
    assert OTHER in closure
    assert "监督举报电话" in charts.nth(3).inner_html()
    totals = office.page.locator("tr.total").inner_text().split("\t")
    assert totals[0] == "合计"
    assert int(totals[1]) >= 2
    office.goto("/board", "board")
    assert office.page.locator("h1").inner_text().startswith("预警看板")
    office.goto("/stats?lang=en", "stats-en")
    assert "Closure rate by unit" in office.page.content()

    unit = signed_in(browser, console_url, "yqstaff")
    response = unit.page.goto(f"{console_url}/stats")
    assert response is not None
    assert response.status == 403
    unit.look("stats-forbidden", 403)


def test_a_unit_leader_files_the_ledger_and_the_calendar_shows_it(
        desk: Desk, console_url: str, browser: Browser) -> None:
    leader = signed_in(browser, console_url, "qyfzr")
    leader.goto("/calendar", "calendar-before")
    leader.page.fill("form[action='/units/file'] input[name=phone]", "0371-12345678")
    leader.submit("file", "filed")
    assert "已报送" in leader.notice()
    row = leader.page.locator("tr", has_text="报送整改台账").filter(has_text=OWN)
    assert "已完成" in row.inner_text()

    office = signed_in(browser, console_url, "wangke")
    office.goto("/calendar", "calendar-office")
    assert "已完成" in office.page.locator("tr", has_text=OWN).filter(
        has_text="报送整改台账").inner_text()
    assert office.page.locator("form[action='/units/file']").count() == 0


def test_the_office_selects_a_unit_from_the_spot_check_list(
        desk: Desk, console_url: str, browser: Browser) -> None:
    office = signed_in(browser, console_url, "wangke")
    office.goto("/spot-checks", "spot-checks")
    rows = office.page.locator("table.list tbody tr")
    assert rows.count() >= 1
    first = rows.first
    unit = first.locator("td").nth(1).inner_text()
    first.locator("input[name=reason]").fill("问题零报告，随机抽查")
    with office.page.expect_navigation():
        first.locator("button").click()
    office.look("spot-check-selected")
    assert f"已将{unit}列入重点抽查" in office.notice()
    listed = desk.json("wangke", "spot-check", "list")
    assert any(e["unit"] == unit and e["selected"] for e in listed["entries"])


def test_an_order_to_a_unit_as_a_whole_is_answered_by_the_unit(
        desk: Desk, console_url: str, browser: Browser) -> None:
    office = signed_in(browser, console_url, "zhaoganshi")
    office.goto("/notices", "notices-to-order")
    form = "form[action='/notices/issue']"
    for trigger in (None, "shallow"):  # an order without the notice's trigger is refused
        office.page.fill(f"{form} input[name=unit]", OWN)
        office.page.select_option(f"{form} select[name=notice]", "order")
        if trigger:
            office.page.check(f"{form} input[name=trigger][value={trigger}]")
        office.page.fill(f"{form} textarea[name=reason]", "自查台账报送不完整")
        office.page.fill(f"{form} input[name=due]", "2026年12月15日")
        office.submit("issue", f"unit-ordered-{trigger}")
        if trigger is None:
            assert "督办须注明通知所列事由" in office.notice()
            assert office.page.locator("table.notices tr",
                                       has_text="自查台账报送不完整").count() == 0
    assert "已记录" in office.notice()
    assert office.page.locator("table.notices tr", has_text="自查台账报送不完整").count() == 1

    unit = signed_in(browser, console_url, "zhangsan")
    order = unit.page.locator("table.unit-notices tr", has_text="自查台账报送不完整")
    assert "2026年12月15日" in order.inner_text()
    order.locator("textarea[name=response]").fill("已补充报送全部自查问题")
    with unit.page.expect_navigation():
        order.locator("form.respond button").click()
    unit.look("unit-order-answered")
    assert "已记录" in unit.notice()
    assert unit.page.locator("table.unit-notices tr", has_text="自查台账报送不完整").count() == 0
    office.goto("/calendar", "calendar-after-answer")
    answered = office.page.locator("tr", has_text="回复督办").filter(has_text="2026年12月15日")
    assert "已完成" in answered.inner_text()


def test_a_circular_to_all_units_shows_who_has_read_it_and_who_owes_a_response(
        desk: Desk, console_url: str, browser: Browser) -> None:
    office = signed_in(browser, console_url, "wangke")
    office.goto("/notices", "notices")
    form = "form[action='/notices/issue']"
    office.page.check(f"{form} input[name=target][value=all]")
    office.page.select_option(f"{form} select[name=notice]", "circular")
    office.page.check(f"{form} input[name=trigger][value=shallow]")
    office.page.fill(f"{form} textarea[name=responders_text]", OWN)
    office.page.fill(f"{form} textarea[name=reason]", "案卷评查发现共性问题")
    office.page.fill(f"{form} input[name=due]", "2026年12月25日")
    office.submit("issue", "circulated")
    assert "已记录" in office.notice()
    circular = office.page.locator("table.broadcasts tr", has_text="案卷评查发现共性问题")
    assert circular.locator("td.owing").inner_text() == OWN
    assert OTHER in circular.locator("td.unread").inner_text()

    other = signed_in(browser, console_url, "yqstaff")
    copy = other.page.locator("table.unit-notices tr", has_text="案卷评查发现共性问题")
    assert copy.locator("form.respond").count() == 0  # not named: it only reads it
    with other.page.expect_navigation():
        copy.locator("form.read button").click()
    other.look("circular-read")
    assert "已记录" in other.notice()

    unit = signed_in(browser, console_url, "zhangsan")
    owed = unit.page.locator("table.unit-notices tr", has_text="案卷评查发现共性问题")
    owed.locator("textarea[name=response]").fill("已组织全面复查")
    with unit.page.expect_navigation():
        owed.locator("form.respond button").click()
    unit.look("circular-answered")

    office.goto("/notices", "circular-followed-up")
    circular = office.page.locator("table.broadcasts tr", has_text="案卷评查发现共性问题")
    assert {OWN, OTHER} <= set(circular.locator("td.read").inner_text().split("、"))
    assert circular.locator("td.owing").inner_text() == ""


def test_a_proposed_order_on_the_board_is_issued_with_one_button(
        desk: Desk, console_url: str, browser: Browser) -> None:
    shallow = "北海分局"  # files a ledger with no problem, no typical case, no cause
    filed = desk.cli("wangke", "campaign", "filed", shallow, "ledger")
    assert filed.exit_code == 0, filed.output
    office = signed_in(browser, console_url, "wangke")
    proposal = office.page.locator("table.proposals tr", has_text=shallow)
    for _ in range(100):  # the read side shows the filing within moments
        office.goto("/board", "board-proposals")
        if proposal.count():
            break
    assert "查找问题不深入不具体" in proposal.inner_text()
    with office.page.expect_navigation():
        proposal.locator("form.propose button").click()
    office.look("proposal-ordered")
    assert "已记录" in office.notice()
    assert office.page.locator("table.proposals tr", has_text=shallow).count() == 0
    office.goto("/notices", "proposal-as-order")
    order = office.page.locator("table.notices tr", has_text=shallow).filter(
        has_text="自查台账问题少、无典型案例、未剖析原因")
    assert "督办" in order.inner_text()
    assert "查找问题不深入不具体" in order.inner_text()


def test_the_unit_asks_for_an_extension_and_its_leader_refuses_then_approves(
        desk: Desk, console_url: str, browser: Browser) -> None:
    problem = public_report(desk, OWN, "行政处罚案件超期未结")
    office = signed_in(browser, console_url, "wangke")
    assign(office, problem)

    staff = signed_in(browser, console_url, "zhangsan")
    staff.goto(f"/problems/{problem}", "to-request-extension")
    assert staff.page.locator("form[action$='/extend']").count() == 0  # the leader's alone
    staff.page.fill("form[action$='/request-extension'] input[name=deadline]", "2027年1月15日")
    staff.page.fill("form[action$='/request-extension'] textarea[name=reason]", "需补充鉴定")
    staff.submit("request-extension", "extension-requested")
    assert "已记录" in staff.notice(), staff.notice()
    asked = staff.page.locator("table.extensions").inner_text()
    assert "2027年1月15日" in asked
    assert "待审批" in asked
    assert staff.page.locator("form[action$='/request-extension']").count() == 0
    assert "2026年12月31日" in staff.page.locator("dl.facts").inner_text()

    leader = signed_in(browser, console_url, "qyfzr")
    waiting = leader.page.locator("section", has_text="待审批的延期申请")
    assert "需补充鉴定" in waiting.inner_text()
    leader.goto("/board", "board-extension-waiting")
    assert "需补充鉴定" in leader.page.locator("table.extensions").inner_text()
    leader.page.locator("table.extensions a").first.click()
    leader.look("to-decide-extension")
    assert leader.page.locator("form[action$='/extend']").count() == 0
    leader.page.fill("form[action$='/refuse-extension'] textarea[name=reason]", "鉴定可并行开展")
    leader.submit("refuse-extension", "extension-refused")
    refused = leader.page.locator("table.extensions").inner_text()
    assert "不予批准" in refused
    assert "鉴定可并行开展" in refused
    assert "2026年12月31日" in leader.page.locator("dl.facts").inner_text()

    staff.goto(f"/problems/{problem}", "to-request-again")
    staff.page.fill("form[action$='/request-extension'] input[name=deadline]", "2027-01-31")
    staff.page.fill("form[action$='/request-extension'] textarea[name=reason]",
                    "鉴定机构排期至明年一月")
    staff.submit("request-extension", "extension-requested-again")
    assert desk.refusal("yqstaff", "extension", "approve", problem) == "forbidden"
    leader.goto(f"/problems/{problem}", "to-approve-extension")
    leader.submit("approve-extension", "extension-approved")
    assert "已记录" in leader.notice(), leader.notice()
    assert "2027年1月31日" in leader.page.locator("dl.facts").inner_text()
    steps = {(r[1], r[2]) for r in timeline(leader)}
    assert {("申请延期", "沁园分局 张三"), ("不予批准延期", "沁园分局 负责人"),
            ("延期", "沁园分局 负责人")} <= steps, steps
    leader.goto("/unit", "no-extension-waiting")
    assert leader.page.locator("section", has_text="待审批的延期申请").count() == 0

    listed = desk.json("qyfzr", "extension", "list", "--unit", OWN)["requests"]
    mine = [(r["deadline"], r["state"], r["decided_by"]) for r in listed
            if r["problem_id"] == problem]
    assert mine == [("2027-01-15", "refused", "沁园分局 负责人"),
                    ("2027-01-31", "approved", "沁园分局 负责人")]
    extended = [e for e in desk.history(problem) if e["type"] == "DeadlineExtended"]
    assert extended[-1]["request_version"] is not None


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_file(unit: str, rows: list[list[Any]]) -> bytes:
    """The notice's 整改台账 template as a unit fills it (its header line in one cell)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["行政执法突出问题整改台账"])
    sheet.append([f"填报单位：{unit}    填报人：孙五    电话：0371-7654321    "
                  "填报时间：2026年12月1日"])
    sheet.append(["序号", "执法问题", "执法案例", "整改措施", "整改时限", "责任部门", "责任领导",
                  "备注"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(visitor: Visitor, name: str, content: bytes, shot: str) -> None:
    visitor.goto("/import", f"{shot}-form")
    visitor.page.set_input_files("form[action='/import'] input[name=ledger]",
                                 {"name": name, "mimeType": XLSX, "buffer": content})
    visitor.submit("import", shot)


def test_a_unit_uploads_its_ledger_sees_what_would_be_filed_and_confirms(
        desk: Desk, console_url: str, browser: Browser) -> None:
    staff = signed_in(browser, console_url, "yqstaff")
    upload(staff, "台账.docx", b"PK\x03\x04not a workbook", "import-wrong-type")
    assert "不支持的文件类型" in staff.notice()

    missing_case = ledger_file(OTHER, [[1, "行政处罚未经法制审核", None]])
    upload(staff, "玉泉分局台账.xlsx", missing_case, "import-refused")
    refused = staff.page.locator(".refusals").inner_text()
    assert "第 4 行" in refused
    assert "执法案例" in refused
    assert staff.page.locator("form[action='/import/confirm']").count() == 0

    filled = ledger_file(OTHER, [
        [1, "行政处罚未经法制审核", "2026年两起处罚决定未经法制审核即作出", "逐案补做法制审核",
         "2027-01-31", "法制股", "玉泉分局 负责人"],
        [2, "执法证件过期仍在使用", "一名执法人员证件过期仍参与检查"],
    ])
    upload(staff, "玉泉分局台账.xlsx", filled, "import-preview")
    preview = staff.page.locator("table.import-preview tbody tr")
    assert preview.count() == 2
    assert "逐案补做法制审核" in preview.nth(0).inner_text()
    assert "待专项办确认" in preview.nth(0).inner_text()
    assert "新登记" in preview.nth(1).inner_text()
    assert "0371-7654321" in staff.page.locator(".header-line").inner_text()
    before = desk.cli("wangke", "ledger", "--unit", OTHER, "--format", "json").output
    assert "行政处罚未经法制审核" not in before  # nothing filed before confirming

    staff.submit("confirm", "import-confirmed")
    assert "导入完成：新登记 2 个问题" in staff.notice(), staff.notice()
    assert staff.path() == "/ledger"
    table = staff.page.locator("table.ledger").inner_text()
    assert "行政处罚未经法制审核" in table
    assert "执法证件过期仍在使用" in table
    header = staff.page.locator(".header-line").inner_text()
    assert "孙五" in header
    assert "0371-7654321" in header
    problem = staff.page.locator("table.ledger a", has_text="行政处罚未经法制审核").get_attribute(
        "href")
    assert problem is not None
    history = desk.history(problem.removeprefix("/problems/"))
    assert [e["type"] for e in history] == ["ProblemReported", "RectificationProposed"]
    assert history[-1]["actor"] == "玉泉分局 孙五"
    assert history[-1]["proposed_by"] == "孙五"

    upload(staff, "玉泉分局台账.xlsx", filled, "import-again")
    assert staff.page.locator("table.import-preview").inner_text().count("已登记过") == 2


def test_the_summary_its_files_and_the_plans_for_every_unit_or_ones_own(
        desk: Desk, console_url: str, browser: Browser) -> None:
    desk.json("qyfzr", "plan", "record", OWN, "--kind", "整改方案",
              "--title", "沁园分局行政执法突出问题整改方案", "--adopted-on", "2026-11-20",
              "--document", "沁环〔2026〕8号", "--content", "逐项对照十三类问题开展自查",
              "--goals", "问题全部整改到位", "--measures", "建立问题清单、责任清单",
              "--schedule", "2027年1月底前完成全部整改", "--responsible", "法制股 王股长")
    deadline = time.monotonic() + 30
    while not desk.json("wangke", "plan", "list", "--unit", OWN)["plans"]:
        assert time.monotonic() < deadline, "the plan did not reach the read models"
        time.sleep(0.2)

    office = signed_in(browser, console_url, "wangke")
    office.goto("/summary", "summary")
    figures = desk.json("wangke", "summary")["campaign"]
    overall = office.page.locator("section.summary-section", has_text="总体情况").locator(
        "tr", has_text="全部单位").inner_text().split("\t")
    assert overall[1:4] == [str(figures[k]) for k in ("reported", "to_rectify", "closed")]
    categories = office.page.locator("section.summary-section", has_text="按问题类别")
    assert categories.locator("tbody tr").count() == 13  # zeros included
    plans_row = office.page.locator("section.summary-section", has_text="整改方案、工作方案")
    assert "沁园分局行政执法突出问题整改方案" in plans_row.inner_text()
    with office.page.expect_download() as download:
        office.page.click("a.button[href^='/summary.xlsx']")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames[0] == "总体情况"
    with office.page.expect_download() as download:
        office.page.click("a.button[href^='/summary.docx']")
    with zipfile.ZipFile(download.value.path()) as document:
        assert "专项整治" in document.read("word/document.xml").decode()

    yesterday = (datetime.now(CHINA_TIME) - timedelta(days=1)).date().isoformat()
    office.goto(f"/summary?as_of={yesterday}", "summary-yesterday")
    assert "截至" in office.notice()
    before = office.page.locator("section.summary-section", has_text="总体情况").locator(
        "tr", has_text="全部单位").inner_text().split("\t")
    assert before[1] == "0"  # every problem of this run was reported today
    with office.page.expect_download() as download:
        office.page.click("a.button[href^='/summary.xlsx']")
    assert yesterday in download.value.suggested_filename

    office.goto("/plans", "plans")
    plan = office.page.locator("section.plan", has_text="沁园分局行政执法突出问题整改方案")
    assert "2027年1月底前完成全部整改" in plan.inner_text()
    assert "沁环〔2026〕8号" in plan.inner_text()

    other = signed_in(browser, console_url, "yqstaff")
    other.goto("/summary", "summary-own-unit")
    assert OTHER in other.page.locator("h1").inner_text()
    for path in (f"/summary?unit={OWN}", f"/plans?unit={OWN}", f"/summary.xlsx?unit={OWN}"):
        assert other.page.request.get(console_url + path).status == 403
    other.goto("/plans", "plans-own-unit")
    assert other.page.locator("section.plan").count() == 0


def test_the_unit_proposes_the_four_determinations_and_the_office_returns_then_confirms(
        desk: Desk, console_url: str, browser: Browser) -> None:
    problem = public_report(desk, OTHER, "行政检查未制定年度计划")
    staff = signed_in(browser, console_url, "yqstaff")
    staff.goto(f"/problems/{problem}", "to-propose")
    assert staff.page.locator("form[action$='/assign']").count() == 0
    staff.page.fill("form[action$='/propose'] input[name=leader]", "玉泉分局 负责人")
    staff.page.fill("form[action$='/propose'] textarea[name=measures]", "制定年度检查计划")
    staff.page.fill("form[action$='/propose'] input[name=deadline]", "长期坚持")
    staff.submit("propose", "proposed")
    assert "已记录" in staff.notice(), staff.notice()
    assert "长期坚持" in staff.page.locator("dl.proposal").inner_text()

    office = signed_in(browser, console_url, "zhaoganshi")
    waiting = office.page.locator("section", has_text="待确认的单位整改方案")
    waiting.locator("a", has_text="行政检查未制定年度计划").click()
    office.look("to-confirm")
    office.page.fill("form[action$='/return'] textarea[name=reason]", "责任部门未填写")
    office.submit("return", "proposal-returned")
    assert "整改方案已被退回：责任部门未填写" in office.notice()

    staff.goto(f"/problems/{problem}", "returned")
    assert "责任部门未填写" in staff.notice()
    staff.page.fill("form[action$='/propose'] input[name=leader]", "玉泉分局 负责人")
    staff.page.fill("form[action$='/propose'] input[name=department]", "执法一中队")
    staff.page.fill("form[action$='/propose'] textarea[name=measures]", "制定年度检查计划")
    staff.submit("propose", "proposed-again")

    office.goto(f"/problems/{problem}", "to-confirm-again")
    office.page.fill("form[action$='/confirm'] input[name=deadline]", "2027年1月31日")
    office.page.fill("form[action$='/confirm'] textarea[name=milestones]",
                     "2027-01-10:起草年度检查计划")
    office.submit("confirm", "proposal-confirmed")
    assert "已记录" in office.notice(), office.notice()
    facts = office.page.locator("dl.facts").first.inner_text()
    assert "整改中" in facts
    assert "执法一中队" in facts
    assert "2027年1月31日" in facts
    assert office.page.locator("dl.proposal").count() == 0

def test_a_signed_in_browser_outlives_a_console_restart_and_signing_out_still_ends_it(
        desk: Desk, console_url: str, browser: Browser) -> None:
    """Last in this module: it restarts the module's ``rectify up``."""
    staff = signed_in(browser, console_url, "zhangsan")
    leader = signed_in(browser, console_url, "qyfzr")
    kept = desk.up.data_dir / "console-sessions.sqlite"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    cookie = next(c["value"] for c in staff.page.context.cookies()
                  if c["name"] == "rectify_console")
    assert cookie.encode() not in kept.read_bytes()

    desk.up.stop()
    desk.up.start()
    deadline = time.monotonic() + 30
    while True:
        try:  # not through the browser: a sign-in page would replace its cookie
            with urllib.request.urlopen(f"{console_url}/static/console.css") as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass  # not listening yet
        assert time.monotonic() < deadline, "the console did not come back"
        time.sleep(0.2)

    staff.goto("/unit", "after-restart")
    assert staff.path() == "/unit"
    leader.goto("/unit", "leader-after-restart")
    assert leader.path() == "/unit"
    leader.page.click("header form[action='/logout'] button")  # the kept CSRF token holds
    leader.page.wait_for_url("**/login")
    leader.goto("/unit", "leader-signed-out")
    assert leader.path() == "/login"
