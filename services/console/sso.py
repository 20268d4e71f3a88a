"""统一身份认证登录 in the console: the browser's half of the OIDC code flow.

The console keeps the PKCE verifier (the identity service, which holds the client secret, only
ever sees its challenge until the code comes back), and ties the callback to the browser that
started it with a cookie of its own: ``SameSite=Lax``, since the provider sends the person back
by a cross-site navigation on which the console's strict session cookie is not sent. State and
nonce are kept and checked by the identity service.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field

COOKIE = "rectify_sso"
CALLBACK_PATH = "/login/sso/callback"
PENDING_SECONDS = 600
MAX_PENDING = 10_000


@dataclass(frozen=True)
class Started:
    """One browser's sign-in under way: what only it and the console know."""

    binding: str
    verifier: str
    redirect_uri: str
    next: str
    expires: float


@dataclass(frozen=True)
class AwaitingTotp:
    """An administrator back from the provider, whose TOTP code comes next."""

    ticket: str
    next: str
    expires: float


@dataclass
class ConsoleSso:
    """Single sign-on as offered on this console (absent: the button is not shown)."""

    label: str
    redirect_uri: str | None = None
    """The callback as registered at the provider; None: this console's own address."""
    _started: dict[str, Started] = field(default_factory=dict)
    _awaiting: dict[str, AwaitingTotp] = field(default_factory=dict)

    def start(self, state: str, verifier: str, redirect_uri: str, next_path: str) -> Started:
        self._prune()
        started = Started(secrets.token_urlsafe(32), verifier, redirect_uri, next_path,
                          time.monotonic() + PENDING_SECONDS)
        self._started[state] = started
        return started

    def came_back(self, state: str, binding: str | None) -> Started | None:
        """The sign-in this state began, if this browser began it (taken once)."""
        started = self._started.pop(state, None)
        if started is None or started.expires <= time.monotonic() or binding is None:
            return None
        return started if hmac.compare_digest(started.binding, binding) else None

    def await_totp(self, browser_sid: str, ticket: str, next_path: str) -> None:
        self._prune()
        self._awaiting[browser_sid] = AwaitingTotp(ticket, next_path,
                                                   time.monotonic() + PENDING_SECONDS)

    def awaiting(self, browser_sid: str) -> AwaitingTotp | None:
        found = self._awaiting.get(browser_sid)
        return found if found is not None and found.expires > time.monotonic() else None

    def done(self, browser_sid: str) -> None:
        self._awaiting.pop(browser_sid, None)

    def _prune(self) -> None:
        now = time.monotonic()
        for pending in (self._started, self._awaiting):
            for key in [k for k, v in pending.items() if v.expires <= now]:
                del pending[key]
            while len(pending) >= MAX_PENDING:
                pending.pop(next(iter(pending)))
