"""统一身份认证登录 against a real OIDC provider process (``oidc-provider-mock``) and a real
identity store: the code flow with PKCE, state and nonce, the ID token's checks, the mapping to
staff accounts, administrators' second factor, and the audit records of each."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from events.directory import Role
from services.identity.accounts import Accounts, SignedIn
from services.identity.errors import IdentityError
from services.identity.management import Issued, StaffManagement
from services.identity.oidc import OidcProvider
from services.identity.oidc_config import OidcSettings, load_oidc
from services.identity.sso import SecondFactorNeeded, SingleSignOn
from services.identity.sso_service import SsoService
from tests.identity.accounts import MovingClock, accounts_in, code, enrol
from tests.identity.provider import Provider, callback_query, running_provider
from tests.integration.harness import RECTIFY

CALLBACK = "http://127.0.0.1:9/login/sso/callback"
"""Where the provider sends the person back; nothing listens there: the test reads the
redirect it would follow."""


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with running_provider(tmp_path_factory.mktemp("oidc") / "provider.log") as running:
        yield running


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(datetime.now(UTC))  # the provider's tokens carry the real time


@pytest.fixture
def accounts(tmp_path: Path, clock: MovingClock) -> Accounts:
    accounts = accounts_in(tmp_path, clock)
    enrol(accounts, "zhangsan", "沁园分局 张三", "沁园分局", (Role.UNIT_STAFF, "沁园分局"))
    return accounts


@pytest.fixture
def auditor(accounts: Accounts) -> Issued:
    return enrol(accounts, "shenji", "审计室 审计管理员", "审计室", (Role.AUDIT_ADMIN, None))


def settings(provider: Provider, **changes: object) -> OidcSettings:
    return replace(OidcSettings(provider.issuer, "rectify-console", "s3cret"), **changes)  # type: ignore[arg-type]


@pytest.fixture
def sso(provider: Provider, accounts: Accounts) -> Iterator[SingleSignOn]:
    relying = OidcProvider(settings(provider))
    yield SingleSignOn(accounts, relying)
    relying.close()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_in(sso: SingleSignOn, provider: Provider, sub: str,
            nonce: str | None = None) -> SignedIn | SecondFactorNeeded:
    """The whole round: begin, the person at the provider, back with the code, finish."""
    verifier, challenge = pkce()
    begun = sso.begin(CALLBACK, challenge)
    url = begun.url if nonce is None else _with(begun.url, nonce=nonce)
    back = callback_query(provider.sign_in(url, sub))
    assert back["state"] == begun.state
    return sso.finish(back["state"], back["code"], verifier, CALLBACK)


def _with(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | params
    return urlunsplit(parts._replace(query=urlencode(query)))


def refused(code_: str, action: object) -> IdentityError:
    with pytest.raises(IdentityError) as caught:
        action()  # type: ignore[operator]
    assert caught.value.code == code_, caught.value.en
    return caught.value


def last_audit(accounts: Accounts) -> tuple[str | None, str, str, str | None]:
    record = accounts.audit.records()[-1]
    return record.actor, record.action, record.result, record.detail


def test_a_person_signs_in_through_the_provider_into_an_ordinary_session(
        sso: SingleSignOn, provider: Provider, accounts: Accounts) -> None:
    done = sign_in(sso, provider, "u-zhangsan")
    assert isinstance(done, SignedIn)
    assert done.person.login == "zhangsan"
    person = accounts.authenticate(done.token)  # the same sessions as a password sign-in
    assert person.name == "沁园分局 张三"
    actor, action, result, detail = last_audit(accounts)
    assert (actor, action, result) == ("沁园分局 张三", "login", "ok")
    assert detail is not None
    assert "single sign-on" in detail
    assert provider.issuer in detail
    accounts.logout(done.token)
    refused("session_ended", lambda: accounts.authenticate(done.token))


def test_the_authorization_request_carries_pkce_state_and_nonce(
        sso: SingleSignOn, provider: Provider) -> None:
    _, challenge = pkce()
    begun = sso.begin(CALLBACK, challenge)
    query = {k: v[0] for k, v in parse_qs(urlsplit(begun.url).query).items()}
    assert begun.url.startswith(provider.issuer)
    assert query["code_challenge"] == challenge
    assert query["code_challenge_method"] == "S256"
    assert query["state"] == begun.state
    assert len(query["nonce"]) >= 32
    assert query["client_id"] == "rectify-console"
    assert query["redirect_uri"] == CALLBACK
    assert "openid" in query["scope"].split()


def test_a_wrong_or_reused_state_is_refused_and_audited(
        sso: SingleSignOn, provider: Provider, accounts: Accounts) -> None:
    verifier, challenge = pkce()
    begun = sso.begin(CALLBACK, challenge)
    back = callback_query(provider.sign_in(begun.url, "u-zhangsan"))
    refused("sso_state", lambda: sso.finish("forged-" + back["state"], back["code"], verifier,
                                            CALLBACK))
    assert last_audit(accounts)[1:3] == ("login", "refused")
    assert sso.finish(back["state"], back["code"], verifier, CALLBACK)  # the real one works
    refused("sso_state", lambda: sso.finish(back["state"], back["code"], verifier, CALLBACK))


def test_a_state_returned_to_another_address_is_refused(
        sso: SingleSignOn, provider: Provider) -> None:
    verifier, challenge = pkce()
    begun = sso.begin(CALLBACK, challenge)
    back = callback_query(provider.sign_in(begun.url, "u-zhangsan"))
    refused("sso_state", lambda: sso.finish(back["state"], back["code"], verifier,
                                            "http://127.0.0.1:9/elsewhere"))


def test_an_id_token_with_another_nonce_is_refused(
        sso: SingleSignOn, provider: Provider, accounts: Accounts) -> None:
    error = refused("sso_token_invalid",
                    lambda: sign_in(sso, provider, "u-zhangsan", nonce="replayed-nonce-0123"))
    assert "nonce" in error.en
    _actor, action, result, detail = last_audit(accounts)
    assert (action, result) == ("login", "refused")
    assert detail
    assert "nonce" in detail


def test_an_expired_id_token_is_refused(sso: SingleSignOn, provider: Provider,
                                        clock: MovingClock) -> None:
    verifier, challenge = pkce()
    begun = sso.begin(CALLBACK, challenge)
    back = callback_query(provider.sign_in(begun.url, "u-zhangsan"))
    clock.advance(hours=2)  # the provider's tokens live one hour
    error = refused("sso_token_invalid",
                    lambda: sso.finish(back["state"], back["code"], verifier, CALLBACK))
    assert "Expired" in error.en


def test_a_token_signed_by_another_key_or_altered_is_refused(provider: Provider) -> None:
    relying = OidcProvider(settings(provider))
    nonce = "n-0123456789"
    verifier, challenge = pkce()
    back = callback_query(provider.sign_in(
        relying.authorization_url(CALLBACK, "s", nonce, challenge), "u-zhangsan"))
    genuine = relying.exchange(back["code"], verifier, CALLBACK)
    now = datetime.now(UTC)
    claims = relying.verify(genuine, nonce, now)
    assert claims["sub"] == "u-zhangsan"
    header = json.loads(base64.urlsafe_b64decode(genuine.split(".")[0] + "=="))
    impostor = RSAKey.generate_key(2048)  # the same header (and key id, if any) as genuine
    forged = jwt.encode(header, {**claims, "sub": "u-wangke", "preferred_username": "wangke"},
                        impostor)
    error = refused("sso_token_invalid", lambda: relying.verify(forged, nonce, now))
    assert "Signature" in error.en
    head, _, signature = genuine.split(".")
    altered = base64.urlsafe_b64encode(json.dumps(
        {**claims, "preferred_username": "wangke"}).encode()).rstrip(b"=").decode()
    refused("sso_token_invalid",
            lambda: relying.verify(f"{head}.{altered}.{signature}", nonce, now))
    mac_key = OctKey.import_key("s3cret-used-as-a-mac-key-0123456789")
    mac = jwt.encode({"alg": "HS256"}, claims, mac_key, algorithms=["HS256"])
    refused("sso_token_invalid", lambda: relying.verify(mac, nonce, now))
    for garbage in ("not-a-jwt", "a.b.c", f"{head}..", ""):
        refused("sso_token_invalid", lambda: relying.verify(garbage, nonce, now))  # noqa: B023
    other_audience = OidcProvider(settings(provider, client_id="another-client"))
    error = refused("sso_token_invalid", lambda: other_audience.verify(genuine, nonce, now))
    assert "aud" in error.en
    relying.close()
    other_audience.close()


def test_someone_without_an_account_is_refused_in_chinese_and_audited(
        sso: SingleSignOn, provider: Provider, accounts: Accounts) -> None:
    error = refused("sso_unknown_person", lambda: sign_in(sso, provider, "u-stranger"))
    assert "stranger" in error.zh
    assert "没有对应的人员" in error.zh
    record = accounts.audit.records()[-1]
    assert (record.action, record.result, record.target) == ("login", "refused", "stranger")
    assert record.detail
    assert "u-stranger" in record.detail


def test_a_disabled_person_is_refused(sso: SingleSignOn, provider: Provider,
                                      accounts: Accounts) -> None:
    security = enrol(accounts, "anquan", "安全管理员", "信息中心", (Role.SECURITY_ADMIN, None))
    StaffManagement(accounts).disable(security.person, "zhangsan", "调离")
    error = refused("account_disabled", lambda: sign_in(sso, provider, "u-zhangsan"))
    assert "停用" in error.zh
    assert last_audit(accounts)[1:3] == ("login", "refused")


def test_an_administrator_gives_rectifys_totp_after_single_sign_on(
        sso: SingleSignOn, provider: Provider, accounts: Accounts, auditor: Issued) -> None:
    pending = sign_in(sso, provider, "u-shenji")
    assert isinstance(pending, SecondFactorNeeded)
    assert last_audit(accounts)[1:3] == ("login", "pending")  # no session yet
    refused("bad_totp", lambda: sso.second_factor(pending.ticket, "000000"))
    assert last_audit(accounts)[1:3] == ("login", "failed")
    done = sso.second_factor(pending.ticket, code(auditor))
    assert accounts.authenticate(done.token).login == "shenji"
    detail = last_audit(accounts)[3]
    assert detail is not None
    assert "TOTP" in detail
    refused("sso_state", lambda: sso.second_factor(pending.ticket, code(auditor)))  # once


def test_a_provider_asserted_second_factor_counts_only_where_configured(
        provider: Provider, accounts: Accounts, auditor: Issued) -> None:
    untrusted = SingleSignOn(accounts, OidcProvider(settings(provider)))
    assert isinstance(sign_in(untrusted, provider, "u-shenji-mfa"), SecondFactorNeeded)
    trusting = SingleSignOn(accounts, OidcProvider(settings(provider, mfa_amr=("otp",))))
    done = sign_in(trusting, provider, "u-shenji-mfa")
    assert isinstance(done, SignedIn)
    detail = last_audit(accounts)[3]
    assert detail is not None
    assert "amr=otp" in detail
    assert isinstance(sign_in(trusting, provider, "u-shenji"), SecondFactorNeeded)


def test_settings_come_from_the_file_and_the_environment(tmp_path: Path) -> None:
    assert load_oidc(tmp_path, {}) is None
    (tmp_path / "oidc.toml").write_text(
        'issuer = "https://idp.example/realms/bureau/"\nclient_id = "rectify"\n'
        'client_secret_file = "' + str(tmp_path / "secret") + '"\nscopes = ["profile"]\n'
        'username_claim = "employee_id"\nmfa_amr = ["otp", "hwk"]\n', encoding="utf-8")
    (tmp_path / "secret").write_text("from-a-file\n", encoding="utf-8")
    loaded = load_oidc(tmp_path, {})
    assert loaded == OidcSettings("https://idp.example/realms/bureau", "rectify", "from-a-file",
                                  "employee_id", ("openid", "profile"), ("otp", "hwk"))
    overridden = load_oidc(tmp_path, {"RECTIFY_OIDC_CLIENT_ID": "other",
                                      "RECTIFY_OIDC_SCOPES": "openid email"})
    assert overridden is not None
    assert (overridden.client_id, overridden.scopes) == ("other", ("openid", "email"))
    error = refused("sso_config", lambda: load_oidc(tmp_path / "none", {
        "RECTIFY_OIDC_ISSUER": "https://idp", "RECTIFY_OIDC_CLIENT_ID": "c"}))
    assert "client_secret" in error.zh  # never half-configured
    (tmp_path / "oidc.toml").write_text('issuer = "https://idp"\nclient_ids = "typo"\n',
                                        encoding="utf-8")
    assert "client_ids" in refused("sso_config", lambda: load_oidc(tmp_path, {})).zh


def test_rectify_up_refuses_to_start_with_a_broken_single_sign_on(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECTIFY_OIDC")}
    env |= {"RECTIFY_OIDC_ISSUER": "https://idp.example", "RECTIFY_OIDC_CLIENT_ID": "rectify",
            "RECTIFY_OIDC_CLIENT_SECRET_FILE": str(tmp_path / "missing")}
    done = subprocess.run([*RECTIFY, "up", "--data-dir", str(tmp_path / "data")], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "统一身份认证配置有误" in done.stderr
    assert "client_secret_file" in done.stderr


def test_without_a_provider_every_sso_request_is_refused_clearly() -> None:
    service = SsoService(None)
    _, challenge = pkce()
    begin = json.dumps({"redirect_uri": CALLBACK, "code_challenge": challenge}).encode()
    error = refused("sso_not_configured", lambda: service.begin(begin, None))
    assert "未配置统一身份认证" in error.zh
    finish = json.dumps({"state": "s", "code": "c", "code_verifier": "v" * 43,
                         "redirect_uri": CALLBACK}).encode()
    refused("sso_not_configured", lambda: service.finish(finish, None))
