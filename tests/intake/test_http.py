"""The website form and the JSON API, spoken to over real HTTP by a real client."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.identity.desk import Desk
from tests.intake.conftest import OPEN311_KEYS, Rectify

pytestmark = pytest.mark.integration
PORTAL_KEY, APP_KEY = OPEN311_KEYS

A_REPORT = {"problem": "执法人员检查时态度粗暴", "case": "3月1日检查某餐馆油烟设施时大声呵斥店员",
            "reporter": {"name": "刘芳", "phone": "13812345678"}}


def a_report(**overrides: Any) -> dict[str, Any]:
    return {**A_REPORT, "intake_id": str(uuid.uuid4()), **overrides}


def files_under(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()]


def test_a_report_filed_through_the_api_is_recorded_and_its_number_shows_its_status(
        rectify: Rectify, web: httpx.Client) -> None:
    filed = web.post("/api/v1/reports", json=a_report())
    assert filed.status_code == 202, filed.text
    receipt = filed.json()
    assert re.fullmatch(r"R-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", receipt["tracking"])
    assert receipt["category"] == "uncivil"
    assert receipt["category_inferred"] is True
    reported = rectify.history(receipt["problem_id"])[0]
    assert reported["channel"] == "website"
    assert reported["unit"] == "法规与科技标准科"
    assert reported["reporter"]["masked_phone"] == "138****5678"
    assert reported["reporter"]["masked_name"] == "刘*"
    assert reported["reporter"]["name"] is None
    looked_up = web.get(f"/api/v1/reports/{receipt['tracking'].lower().replace('-', ' ')}")
    assert looked_up.status_code == 200
    assert looked_up.json() == {"tracking": receipt["tracking"], "status": "reported",
                                "status_label": "已登记", "answers": []}


def test_the_reporters_name_and_phone_are_nowhere_in_clear(rectify: Rectify,
                                                           web: httpx.Client) -> None:
    phone, name = "13698765432", "欧阳明远"
    receipt = web.post("/api/v1/reports", json=a_report(
        reporter={"name": name, "phone": phone})).json()
    rectify.history(receipt["problem_id"])
    assert (rectify.process.data_dir / "reporter.key").stat().st_mode & 0o777 == 0o600
    for path in files_under(rectify.process.data_dir):  # INTAKE, EVENTS, event store, read models
        content = path.read_bytes()
        assert phone.encode() not in content, path
        assert name.encode() not in content, path


def test_the_reporter_sees_the_answer_to_their_report_and_nothing_else(
        rectify: Rectify, web: httpx.Client) -> None:
    receipt = web.post("/api/v1/reports", json=a_report()).json()
    rectify.history(receipt["problem_id"])
    answered = rectify.process.cli("answer", receipt["problem_id"],
                                   "--message", "已约谈当事执法人员", "--as", "法规科 王科长")
    assert answered.returncode == 0, answered.stderr
    status = web.get(f"/api/v1/reports/{receipt['tracking']}", params={"lang": "en"}).json()
    assert set(status) == {"tracking", "status", "status_label", "answers"}
    assert status["status_label"] == "reported"
    assert [a["message"] for a in status["answers"]] == ["已约谈当事执法人员"]


def test_an_unknown_tracking_number_is_not_found(web: httpx.Client) -> None:
    for tracking in ("R-0000-0000", "not a number"):
        looked_up = web.get(f"/api/v1/reports/{tracking}")
        assert looked_up.status_code == 404
        assert "R-0000-0000" in looked_up.json()["error"]["zh"] or tracking != "R-0000-0000"


def test_the_same_report_sent_twice_makes_one_problem(rectify: Rectify,
                                                      web: httpx.Client) -> None:
    for report in (a_report(intake_id="api-twice-1"),
                   {**A_REPORT, "problem": "同一份没有编号的举报发了两次"}):
        first, second = (web.post("/api/v1/reports", json=report).json() for _ in range(2))
        assert first["tracking"] == second["tracking"]
        assert [e["type"] for e in rectify.history(first["problem_id"])] == ["ProblemReported"]


def test_invalid_input_gets_422_with_a_reason_per_field_and_files_nothing(
        rectify: Rectify, web: httpx.Client) -> None:
    before = rectify.last_seq()
    refused = web.post("/api/v1/reports", json={
        "problem": "", "category": "littering", "reporter": {"phone": "call me"}, "colour": 1})
    assert refused.status_code == 422
    reasons = {e["field"]: e["zh"] for e in refused.json()["errors"]}
    assert reasons["problem"] == "执法问题：不能为空"
    assert reasons["case"] == "具体情况：必须填写"
    assert reasons["category"] == "问题类别：不是可选的值"
    assert reasons["reporter.phone"] == "电话：格式不正确"
    assert "colour" in reasons
    not_json = web.post("/api/v1/reports", content=b"{not json",
                        headers={"content-type": "application/json"})
    assert not_json.status_code == 422
    assert rectify.last_seq() == before


def test_staff_channels_need_the_unit_and_a_staff_session(rectify: Rectify,
                                                          web: httpx.Client) -> None:
    before = rectify.last_seq()
    finding = a_report(channel="spot_check", reporter=None, problem="案卷缺少送达回证",
                       case="抽查2023年案卷10卷，3卷缺少送达回证")
    refused = web.post("/api/v1/reports", json=finding)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"unit"}
    for channel in ("spot_check", "oversight", "central_inspection"):
        anonymous = web.post("/api/v1/reports", json={
            **finding, "channel": channel, "filed_by": "法规科 赵干事", "unit": "北海分局"})
        assert anonymous.status_code == 403
        assert "须由工作人员登录" in anonymous.json()["error"]["zh"]
    assert rectify.last_seq() == before


def test_a_public_report_naming_a_filer_is_filed_as_the_publics(rectify: Rectify,
                                                                web: httpx.Client) -> None:
    filed = web.post("/api/v1/reports", json=a_report(filed_by="局长 孙局长"))
    assert filed.status_code == 202, filed.text
    reported = rectify.history(filed.json()["problem_id"])[0]
    assert (reported["actor"], reported["actor_id"], reported["on_behalf_of"]) == (
        "public:website", None, "刘*")


@pytest.fixture(scope="module")
def staff(rectify: Rectify, tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """Staff enrolled and signed in with the real CLI (tests/identity's desk)."""
    desk = Desk(rectify.process, tmp_path_factory.mktemp("sessions"))
    desk.open_security_desk()
    desk.enrol("rexian", "12345热线 吴接线员", "热线中心", "hotline_operator")
    desk.enrol("wangke", "法规与科技标准科 王科长", "法规与科技标准科", "campaign_office")
    desk.enrol("zhangsan", "沁园分局 张三", "沁园分局", "unit_staff")
    return desk


def session_of(desk: Desk, login: str) -> dict[str, str]:
    token = json.loads((desk.sessions / f"{login}.json").read_text("utf-8"))["token"]
    return {"authorization": f"Bearer {token}"}


def test_a_signed_in_staff_member_files_findings_as_themselves(
        rectify: Rectify, web: httpx.Client, staff: Desk) -> None:
    finding = {"channel": "oversight", "unit": "北海分局", "intake_id": "DC-2026-07",
               "problem": "处罚决定未说明理由", "case": "抽查案卷第7号"}
    filed = web.post("/api/v1/reports", json=finding, headers=session_of(staff, "rexian"))
    assert filed.status_code == 202, filed.text
    reported = rectify.history(filed.json()["problem_id"])[0]
    assert (reported["channel"], reported["actor"]) == ("oversight", "12345热线 吴接线员")
    again = web.post("/api/v1/reports", json=finding, headers=session_of(staff, "rexian"))
    assert again.json()["problem_id"] == filed.json()["problem_id"]
    colleague = web.post("/api/v1/reports", json=finding, headers=session_of(staff, "wangke"))
    assert colleague.status_code == 202
    assert colleague.json()["problem_id"] != filed.json()["problem_id"]


def test_staff_credentials_that_do_not_hold_are_refused_and_file_nothing(
        rectify: Rectify, web: httpx.Client, staff: Desk) -> None:
    before = rectify.last_seq()
    finding = {"channel": "spot_check", "unit": "北海分局", "problem": "未亮证", "case": "现场"}
    forged = web.post("/api/v1/reports", json={**finding, "filed_by": "局长 孙局长"},
                      headers=session_of(staff, "rexian"))
    assert forged.status_code == 403
    assert "登录人是 12345热线 吴接线员" in forged.json()["error"]["zh"]
    unit_staff = web.post("/api/v1/reports", json=finding, headers=session_of(staff, "zhangsan"))
    assert unit_staff.status_code == 403
    assert "无权代为登记问题" in unit_staff.json()["error"]["zh"]
    guessed = web.post("/api/v1/reports", json=finding,
                       headers={"authorization": "Bearer not-a-session"})
    assert guessed.status_code == 401
    ended = session_of(staff, "wangke")
    assert staff.cli("wangke", "logout").exit_code == 0
    assert web.post("/api/v1/reports", json=finding, headers=ended).status_code == 401
    assert rectify.last_seq() == before


def test_the_same_intake_id_from_two_clients_is_two_problems_each_seeing_only_its_own(
        rectify: Rectify, web: httpx.Client) -> None:
    victim = web.post("/api/v1/reports", json=a_report(intake_id="tt-02")).json()
    again = web.post("/api/v1/reports", json=a_report(intake_id="tt-02")).json()
    assert again == victim  # the same report sent twice by its sender: one problem
    with httpx.Client(base_url=rectify.endpoints["http"], timeout=30,
                      headers={"x-forwarded-for": "203.0.113.66"}) as attacker:
        taken = attacker.post("/api/v1/reports", json=a_report(
            intake_id="tt-02", problem="攻击者的文字", case="试图取得他人的查询编号",
            reporter=None)).json()
        assert taken["problem_id"] != victim["problem_id"]
        assert taken["tracking"] != victim["tracking"]
        assert rectify.history(taken["problem_id"])[0]["problem"] == "攻击者的文字"
        assert rectify.history(victim["problem_id"])[0]["problem"] == A_REPORT["problem"]
        assert attacker.get(f"/api/v1/reports/{taken['tracking']}").json()["tracking"] == \
            taken["tracking"]


def test_an_oversized_body_is_refused_with_413(rectify: Rectify, web: httpx.Client) -> None:
    before = rectify.last_seq()
    huge = a_report(case="案" * 70_000)
    assert web.post("/api/v1/reports", json=huge).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"problem": "x", "case": "'
        for _ in range(100):
            yield b"y" * 1024
        yield b'"}'

    streamed = web.post("/api/v1/reports", content=chunks(),
                        headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert rectify.last_seq() == before


def test_the_openapi_document_describes_the_reports_api(web: httpx.Client) -> None:
    document = web.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert set(paths["/api/v1/reports"]["post"]["responses"]) == {
        "202", "401", "403", "413", "422", "429"}
    assert set(paths["/api/v1/reports/{tracking}"]["get"]["responses"]) == {"200", "404", "429"}
    assert "problem" in document["components"]["schemas"]["ReportIn"]["required"]
    [rule] = document["components"]["schemas"]["ReportIn"]["allOf"]
    assert rule["then"]["required"] == ["unit"]
    assert set(paths["/api/v1/reports"]["post"]["responses"]) >= {"401"}
    assert document["components"]["securitySchemes"]["staffSession"]["scheme"] == "bearer"
    form = paths["/open311/v2/requests.json"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["api_key", "description"]


# ------------------------------------------------------------------- the form

def open_form(web: httpx.Client, lang: str = "zh") -> dict[str, str]:
    page = web.get("/report", params={"lang": lang})
    assert page.status_code == 200
    hidden = dict(re.findall(r'name="(form_id|csrf)" value="([^"]+)"', page.text))
    assert set(hidden) == {"form_id", "csrf"}
    return hidden


def test_the_form_files_a_report_and_confirms_with_the_tracking_number(
        rectify: Rectify, web: httpx.Client) -> None:
    form = {**open_form(web), "problem": "对小餐馆一律罚款五千元",
            "case": "4月份对全街餐馆一律处罚", "unit": "沁园分局", "category": "", "name": "",
            "phone": "13900001111"}
    confirmed = web.post("/report", data=form, follow_redirects=True)
    assert confirmed.status_code == 200
    assert "提交成功" in confirmed.text
    tracking = re.search(r'class="tracking">(R-[0-9A-Z]{4}-[0-9A-Z]{4})<', confirmed.text)
    assert tracking is not None
    again = web.post("/report", data=form, follow_redirects=True)  # a double click
    assert tracking.group(1) in again.text
    status = web.get(f"/api/v1/reports/{tracking.group(1)}").json()
    assert status["status"] in ("received", "reported")


def test_a_form_without_a_valid_csrf_token_is_refused(rectify: Rectify,
                                                     web: httpx.Client) -> None:
    before = rectify.last_seq()
    form = {**open_form(web), "problem": "伪造的提交", "case": "来自其他网站"}
    forged = {**form, "csrf": "0" * 64}
    assert web.post("/report", data=forged).status_code == 403
    with httpx.Client(base_url=rectify.endpoints["http"]) as stranger:  # no cookie
        refused = stranger.post("/report", data=form)
    assert refused.status_code == 403
    assert "表单已过期或来源不明" in refused.text
    assert rectify.last_seq() == before


def test_a_form_with_mistakes_is_shown_again_with_the_reasons(rectify: Rectify,
                                                             web: httpx.Client) -> None:
    before = rectify.last_seq()
    form = {**open_form(web, "en"), "problem": "", "case": "有经过没有问题", "phone": "abc"}
    shown = web.post("/report", params={"lang": "en"}, data=form)
    assert shown.status_code == 422
    assert "problem: String should have at least 1 character" in shown.text
    assert "有经过没有问题" in shown.text  # what was typed is kept
    assert rectify.last_seq() == before


# ------------------------------------------------------------------ Open311

A_REQUEST = {"service_code": "uncivil", "description": "执法人员当众辱骂摊贩。5月1日在夜市。",
             "address_string": "城东夜市", "first_name": "芳", "last_name": "刘",
             "phone": "13812345678"}


def test_an_open311_front_end_files_a_request_and_follows_it(rectify: Rectify,
                                                            web: httpx.Client) -> None:
    services = web.get("/open311/v2/services.json").json()
    assert len(services) == 13
    assert services[0]["service_code"] == "procedure"
    created = web.post("/open311/v2/requests.json", data={**A_REQUEST, "api_key": PORTAL_KEY})
    assert created.status_code == 200, created.text
    [receipt] = created.json()
    again = web.post("/open311/v2/requests.json", data={**A_REQUEST, "api_key": PORTAL_KEY})
    assert again.json()[0] == receipt
    other = web.post("/open311/v2/requests.json", data={**A_REQUEST, "api_key": APP_KEY})
    assert other.json()[0]["service_request_id"] != receipt["service_request_id"]
    tracking = receipt["service_request_id"]
    [followed] = web.get(f"/open311/v2/requests/{tracking}.json").json()
    assert followed["service_request_id"] == tracking
    assert followed["status"] == "open"
    listed = web.get("/open311/v2/requests.json",
                     params={"service_request_id": f"{tracking},R-0000-0000"}).json()
    assert [r["service_request_id"] for r in listed] == [tracking]
    assert web.get("/open311/v2/requests.json").json() == []  # nobody lists others' reports


def test_an_open311_request_without_a_description_is_refused(rectify: Rectify,
                                                             web: httpx.Client) -> None:
    before = rectify.last_seq()
    refused = web.post("/open311/v2/requests.json",
                       data={"service_code": "uncivil", "api_key": PORTAL_KEY})
    assert refused.status_code == 400
    assert "description" in refused.json()[0]["description"]
    assert rectify.last_seq() == before


def test_a_cross_origin_open311_post_without_a_key_is_refused(rectify: Rectify,
                                                             web: httpx.Client) -> None:
    before = rectify.last_seq()
    for key in (None, "guessed-key"):
        refused = web.post("/open311/v2/requests.json",
                           data={**A_REQUEST, **({"api_key": key} if key else {})},
                           headers={"origin": "https://evil.example"})
        assert refused.status_code == 403
        assert "api_key" in refused.json()[0]["description"]
        assert "access-control-allow-origin" not in refused.headers
    assert rectify.last_seq() == before


def test_an_open311_batch_lookup_is_capped(web: httpx.Client) -> None:
    ids = ",".join(f"R-0000-{n:04d}" for n in range(11))
    refused = web.get("/open311/v2/requests.json", params={"service_request_id": ids})
    assert refused.status_code == 400
    assert "10" in refused.json()[0]["description"]
