"""统一身份认证登录: signing in through the bureau's identity platform, ending in the same kind
of session as a password sign-in (so roles, unit scope, timeouts and revocation all apply).

A sign-in is begun by a client (the console for a browser, ``rectify login --sso`` for a
terminal), which keeps the PKCE verifier to itself and sends only its S256 challenge; the
service keeps the state and the nonce for ten minutes, once. Finishing it, the client sends the
code the provider returned with that state and its verifier; the service redeems the code with
the client secret (which never leaves it), verifies the ID token, and maps the configured claim
to the staff account of that sign-in name. Unknown, disabled or locked people are refused and
audited.

Administrators (三员) need two factors under 等保 2.0 level 3, and an auditor needs to see which
ones were used. A provider's word counts only where the security administrator configured which
``amr``/``acr`` values mean a second factor; otherwise rectify asks for its own TOTP code after
single sign-on, and the audit record names the factor either way.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from services.identity.accounts import Accounts, SignedIn
from services.identity.credentials import totp_matches
from services.identity.directory import Person
from services.identity.errors import IdentityError
from services.identity.oidc import OidcProvider

PENDING_SECONDS = 600
"""How long a begun sign-in (or one waiting for an administrator's TOTP) may take."""
MAX_PENDING = 10_000


@dataclass(frozen=True)
class Begun:
    url: str
    state: str


@dataclass(frozen=True)
class _Started:
    nonce: str
    redirect_uri: str


@dataclass(frozen=True)
class SecondFactorNeeded:
    """An administrator whose provider asserted no second factor: rectify's TOTP comes next."""

    ticket: str
    person: Person


@dataclass
class _Waiting:
    person_id: str
    how: str
    expires: float


def _refused(code: str, zh: str, en: str) -> IdentityError:
    return IdentityError(code, zh, en)


T = TypeVar("T")


class _Pending(Generic[T]):
    """Single-use entries that expire: taken once, or never."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, T]] = {}

    def put(self, key: str, value: T, expires: float) -> None:
        with self._lock:
            now = time.monotonic()
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            while len(self._entries) >= MAX_PENDING:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (expires, value)

    def take(self, key: str) -> T | None:
        with self._lock:
            found = self._entries.pop(key, None)
        if found is None or found[0] <= time.monotonic():
            return None
        return found[1]


class SingleSignOn:
    def __init__(self, accounts: Accounts, provider: OidcProvider) -> None:
        self.accounts, self.provider = accounts, provider
        self.settings = provider.settings
        self._started: _Pending[_Started] = _Pending()
        self._waiting: _Pending[_Waiting] = _Pending()

    def begin(self, redirect_uri: str, code_challenge: str) -> Begun:
        """Where to send the person; ``state`` comes back with them."""
        if len(code_challenge) < 43:
            raise _refused("invalid_request", "缺少 PKCE 校验值", "a PKCE S256 challenge is needed")
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        url = self.provider.authorization_url(redirect_uri, state, nonce, code_challenge)
        expires = time.monotonic() + PENDING_SECONDS
        self._started.put(state, _Started(nonce, redirect_uri), expires)
        return Begun(url, state)

    def finish(self, state: str, code: str, code_verifier: str,
               redirect_uri: str) -> SignedIn | SecondFactorNeeded:
        now = self.accounts.clock()
        started = self._started.take(state)
        if started is None or started.redirect_uri != redirect_uri:
            self._audit_refusal(now, None, "unknown or expired state")
            raise _refused("sso_state",
                           "统一身份认证登录已失效或来源不符（state 不匹配），请重新登录",
                           "this single sign-on is unknown or expired (state); start again")
        try:
            id_token = self.provider.exchange(code, code_verifier, redirect_uri)
            claims = self.provider.verify(id_token, started.nonce, now)
        except IdentityError as refused:
            self._audit_refusal(now, None, f"{refused.code}: {refused.en}")
            raise
        person = self._person(claims, now)
        how = self._how(claims)
        if person.administrator and how is None:
            return self._needs_totp(person, now)
        return self._open(person, now, how or "single sign-on")

    def second_factor(self, ticket: str, code: str) -> SignedIn:
        """An administrator's TOTP code after single sign-on."""
        now = self.accounts.clock()
        waiting = self._waiting.take(ticket)
        if waiting is None:
            raise _refused("sso_state", "统一身份认证登录已失效，请重新登录",
                           "this single sign-on has expired; start again")
        person = self.accounts.directory().people[waiting.person_id]
        self._check_may_sign_in(person, now, waiting.how)
        credential = self.accounts.credentials.get(person.person_id)
        if credential is None or credential.totp_secret is None:
            raise _refused("totp_not_enrolled", "管理员须先绑定动态口令（请安全管理员重置）",
                           "administrators need a TOTP authenticator: ask for a reset")
        if not totp_matches(credential.totp_secret, code):
            # counted with password failures, so five wrong codes lock the account as usual
            self.accounts._failed(person, now, f"{waiting.how}: wrong TOTP code")
            if self.accounts.directory().people[person.person_id].active:
                self._waiting.put(ticket, waiting, waiting.expires)  # another try, same window
            raise _refused("bad_totp", "动态口令错误", "wrong one-time code")
        return self._open(person, now, f"{waiting.how} + rectify TOTP")

    # ------------------------------------------------------------------ steps

    def _how(self, claims: dict[str, Any]) -> str | None:
        """The second factor the provider asserts and we were told to trust, if any."""
        amr = claims.get("amr")
        methods = [str(m) for m in amr] if isinstance(amr, list) else []
        trusted = [m for m in methods if m in self.settings.mfa_amr]
        if trusted:
            return f"single sign-on, provider MFA amr={','.join(trusted)}"
        acr = str(claims.get("acr", ""))
        if acr and acr in self.settings.mfa_acr:
            return f"single sign-on, provider MFA acr={acr}"
        return None

    def _person(self, claims: dict[str, Any], now: datetime) -> Person:
        claim = self.settings.username_claim
        value = str(claims.get(claim) or "").strip()
        person = self.accounts.directory().find(value) if value else None
        if person is None:
            self._audit_refusal(now, value or None,
                                f"unknown person: {claim}={value!r} sub={claims.get('sub')!r}")
            raise _refused("sso_unknown_person",
                           f"统一身份认证账号（{claim}：{value or '无'}）在本系统没有对应的人员，"
                           "请联系安全管理员开通",
                           f"nobody here has the sign-in name {value or '(none)'} "
                           f"({claim}); ask the security administrator")
        self._check_may_sign_in(person, now, f"single sign-on sub={claims.get('sub')}")
        return person

    def _check_may_sign_in(self, person: Person, now: datetime, how: str) -> None:
        if person.active:
            return
        why = "disabled" if person.disabled else "locked"
        self.accounts.audit.record(now, "login", "refused", actor_id=person.person_id,
                                   actor=person.name, detail=f"{how}: account {why}")
        raise _refused(f"account_{why}",
                       "账号已停用，不能登录" if person.disabled else
                       "账号已锁定（连续登录失败），请联系安全管理员重置",
                       f"this account is {why}; ask the security administrator")

    def _needs_totp(self, person: Person, now: datetime) -> SecondFactorNeeded:
        credential = self.accounts.credentials.get(person.person_id)
        if credential is None or credential.totp_secret is None:
            self.accounts.audit.record(now, "login", "refused", actor_id=person.person_id,
                                       actor=person.name,
                                       detail="single sign-on: administrator without TOTP")
            raise _refused("totp_not_enrolled", "管理员须先绑定动态口令（请安全管理员重置）",
                           "administrators need a TOTP authenticator: ask for a reset")
        self.accounts.audit.record(now, "login", "pending", actor_id=person.person_id,
                                   actor=person.name,
                                   detail="single sign-on ok; administrator: TOTP required")
        ticket = secrets.token_urlsafe(32)
        expires = time.monotonic() + PENDING_SECONDS
        self._waiting.put(ticket, _Waiting(person.person_id, "single sign-on", expires), expires)
        return SecondFactorNeeded(ticket, person)

    def _open(self, person: Person, now: datetime, how: str) -> SignedIn:
        self.accounts.credentials.succeeded(person.person_id)
        token, expires = self.accounts.sessions.open(person.person_id, now)
        self.accounts.audit.record(now, "login", "ok", actor_id=person.person_id,
                                   actor=person.name, detail=f"via {how} ({self.settings.issuer})")
        return SignedIn(token, expires, person)

    def _audit_refusal(self, now: datetime, target: str | None, why: str) -> None:
        self.accounts.audit.record(now, "login", "refused", target=target,
                                   detail=f"single sign-on ({self.settings.issuer}): {why}")
