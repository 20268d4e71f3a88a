"""统一身份认证登录 through the real console in Chromium, against a real OIDC provider process on
another site (``localhost`` while the console is on ``127.0.0.1``, so the provider's redirect
back is a cross-site navigation as it is in a bureau), and through plain HTTP for what a browser
would never do by itself: a forged state, a callback in another browser, a replayed nonce."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from playwright.sync_api import Browser

from services.runtime.config import read_runtime
from tests.console.browser import Visitor
from tests.console.conftest import ThreadedDesk
from tests.identity.desk import Desk, secured, staffed
from tests.identity.provider import Provider, callback_query, running_provider

STAFF = (
    ("zhangsan", "沁园分局 张三", "沁园分局", "unit_staff"),
    ("wangke", "法规与科技标准科 王科长", "法规与科技标准科", "campaign_office"),
    ("shenji", "审计室 审计管理员", "审计室", "audit_admin"),
    ("rexian", "12345热线 吴接线员", "热线中心", "hotline_operator"),
)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with running_provider(tmp_path_factory.mktemp("oidc") / "provider.log",
                          host="localhost") as running:
        yield running


@pytest.fixture(scope="module")
def sso_desk(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("console-sso")
    up = secured(root / "data")
    up.env |= {"RECTIFY_OIDC_ISSUER": provider.issuer, "RECTIFY_OIDC_CLIENT_ID": "rectify",
               "RECTIFY_OIDC_CLIENT_SECRET": "console-secret-0123"}
    with staffed(up, root, STAFF, ThreadedDesk) as desk:
        yield desk


@pytest.fixture(scope="module")
def console(sso_desk: Desk) -> str:
    info = read_runtime(sso_desk.up.data_dir)
    assert info is not None
    endpoints = info["endpoints"]
    assert isinstance(endpoints, dict)
    return str(endpoints["console"])


def audit(desk: Desk) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = desk.json("shenji", "audit")["records"]
    return records


def at_provider(visitor: Visitor, provider: Provider, sub: str) -> None:
    """The person signs in at the provider's own page (the one place off the console)."""
    visitor.page.wait_for_url(re.compile(re.escape(provider.issuer) + "/oauth2/authorize.*"))
    visitor.page.fill("input[name=sub]", sub)
    visitor.page.locator("button[type=submit], input[type=submit]").first.click()
    visitor.page.wait_for_url(re.compile(re.escape(visitor.base) + ".*"))
    visitor.foreign.clear()  # what the provider's own page loads (and fails to) is its business
    visitor.errors.clear()


def start_sso(visitor: Visitor) -> None:
    visitor.goto("/login", "login-sso")
    button = visitor.page.get_by_role("link", name="统一身份认证登录")
    assert button.is_visible()
    button.click()


def test_a_unit_staff_member_signs_in_by_sso_and_lands_on_their_units_page(
        browser: Browser, console: str, provider: Provider, sso_desk: Desk) -> None:
    visitor = Visitor.open(browser, console, "sso-zhangsan")
    start_sso(visitor)
    at_provider(visitor, provider, "u-zhangsan")
    visitor.page.wait_for_url(re.compile(r".*/unit$"))
    visitor.look("unit-after-sso")
    assert visitor.page.locator(".who").inner_text() == "沁园分局 张三"
    answer = visitor.page.goto(console + "/office")  # the same roles as after a password
    visitor.look("office-refused", status=403)       # sign-in: not the campaign office's
    assert answer is not None
    assert answer.status == 403
    logins = [r for r in audit(sso_desk) if r["action"] == "login" and r["result"] == "ok"
              and r["actor"] == "沁园分局 张三"]
    assert logins, "no login recorded"
    assert "single sign-on" in logins[-1]["detail"]
    assert provider.issuer in logins[-1]["detail"]
    visitor.page.context.close()


def test_the_campaign_office_signed_in_by_sso_acts_in_its_own_name(
        browser: Browser, console: str, provider: Provider, sso_desk: Desk) -> None:
    problem = sso_desk.report("沁园分局")
    visitor = Visitor.open(browser, console, "sso-wangke")
    start_sso(visitor)
    at_provider(visitor, provider, "u-wangke")
    visitor.page.wait_for_url(re.compile(r".*/office$"))
    visitor.look("office-after-sso")
    assert visitor.page.locator(".who").inner_text() == "法规与科技标准科 王科长"
    visitor.goto(f"/problems/{problem}", "to-triage-after-sso")
    visitor.page.fill("form[action$='/triage'] textarea[name=root_cause]", "执法人员文明意识不强")
    visitor.submit("triage", "triaged-after-sso")
    triaged = [e for e in sso_desk.history(problem) if e["type"] == "ProblemTriaged"]
    assert [e["actor"] for e in triaged] == ["法规与科技标准科 王科长"]
    assert triaged[0]["actor_id"] == sso_desk.json("wangke", "whoami")["person_id"]
    assert triaged[0]["via"] == "web"
    visitor.page.context.close()


def test_someone_without_an_account_is_refused_with_a_chinese_message(
        browser: Browser, console: str, provider: Provider, sso_desk: Desk) -> None:
    visitor = Visitor.open(browser, console, "sso-stranger")
    start_sso(visitor)
    at_provider(visitor, provider, "u-stranger")
    visitor.look("stranger-refused")
    assert "没有对应的人员" in visitor.page.locator(".notice.error").inner_text()
    assert visitor.path() != "/unit"
    refusals = [r for r in audit(sso_desk) if r["action"] == "login"
                and r["result"] == "refused" and r["target"] == "stranger"]
    assert refusals
    visitor.page.context.close()


def test_an_administrator_gives_the_one_time_code_after_sso(
        browser: Browser, console: str, provider: Provider, sso_desk: Desk) -> None:
    visitor = Visitor.open(browser, console, "sso-shenji")
    start_sso(visitor)
    at_provider(visitor, provider, "u-shenji")
    visitor.look("sso-totp")
    assert visitor.path() == "/login/sso/callback"
    visitor.page.fill("input[name=totp]", "000000")
    visitor.submit("totp", "sso-totp-wrong")
    assert "动态口令错误" in visitor.notice()
    visitor.page.fill("input[name=totp]", sso_desk.people["shenji"].code() or "")
    visitor.page.click("form[action$='/totp'] button[type=submit]")
    visitor.page.wait_for_url(re.compile(r".*/account$"))
    visitor.look("sso-totp-right")
    assert visitor.page.locator(".who").inner_text() == "审计室 审计管理员"
    visitor.page.context.close()


def _begin(console: str) -> tuple[httpx.Client, str]:
    """A client (with its own cookies) sent to the provider: the authorization URL."""
    client = httpx.Client(base_url=console, timeout=15)
    answer = client.get("/login/sso")
    assert answer.status_code == 303, answer.text[:300]
    return client, str(answer.headers["location"])


def _with(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | params
    return urlunsplit(parts._replace(query=urlencode(query)))


def _callback(client: httpx.Client, location: str, **changes: str) -> httpx.Response:
    query = callback_query(location) | changes
    return client.get("/login/sso/callback", params=query)


def test_a_forged_state_or_another_browsers_callback_is_refused(
        console: str, provider: Provider) -> None:
    client, url = _begin(console)
    location = provider.sign_in(url, "u-zhangsan")
    forged = _callback(client, location, state="forged-state")
    assert "state 不匹配" in forged.text
    assert client.get("/").headers["location"].startswith("/login")  # not signed in
    stranger = httpx.Client(base_url=console, timeout=15)  # the same link, in another browser
    other, other_url = _begin(console)
    stolen = _callback(stranger, provider.sign_in(other_url, "u-zhangsan"))
    assert "state 不匹配" in stolen.text
    genuine = _callback(client, location)
    assert genuine.status_code == 200
    assert 'content="0;url=/unit"' in genuine.text
    assert client.get("/unit").status_code == 200  # signed in
    for opened in (client, stranger, other):
        opened.close()


def test_an_id_token_for_another_nonce_is_refused(console: str, provider: Provider,
                                                  sso_desk: Desk) -> None:
    client, url = _begin(console)
    replayed = provider.sign_in(_with(url, nonce="a-nonce-from-another-sign-in"), "u-zhangsan")
    answer = _callback(client, replayed)
    assert answer.status_code == 200
    assert "身份令牌无效" in answer.text
    assert client.get("/").headers["location"].startswith("/login")  # not signed in
    detail = [r for r in audit(sso_desk) if r["result"] == "refused"][-1]["detail"]
    assert "nonce" in detail
    client.close()


def test_a_person_who_declines_at_the_provider_is_told_so(console: str,
                                                          provider: Provider) -> None:
    client, url = _begin(console)
    answer = _callback(client, provider.deny(url))
    assert "统一身份认证平台未完成登录（access_denied）" in answer.text
    assert client.get("/").headers["location"].startswith("/login")
    client.close()
