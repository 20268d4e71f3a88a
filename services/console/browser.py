"""Browser sessions: a random cookie id → the identity session it stands for, and its CSRF token.

The browser never holds the identity token itself, only an opaque id that is worthless once
the person signs out; signed-in sessions outlive a console restart in ``KeptSessions``. Whether
the person is still signed in is asked of the identity service on every request, so its idle
and absolute timeouts (and a sign-out or a disabled account) apply here at once.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from services.console.imports import Upload
from services.console.kept_sessions import KeptSessions

COOKIE = "rectify_console"
MAX_SESSIONS = 10_000
"""Anonymous sessions (the sign-in page's CSRF token) beyond this are dropped oldest first."""


@dataclass
class BrowserSession:
    sid: str
    csrf: str
    token: str | None = None
    """The identity session, once signed in."""
    notice: list[tuple[str, str, str]] = field(default_factory=list)
    """Messages (kind ``ok``/``error``, zh, en) to show on the next page, then forget."""
    upload: Upload | None = None
    """A ledger previewed and waiting for the person to confirm its import."""

    def csrf_matches(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(self.csrf, sent)


class BrowserSessions:
    def __init__(self, kept: KeptSessions | None = None) -> None:
        self._by_sid: dict[str, BrowserSession] = {}
        self.kept = kept
        """Where signed-in sessions outlive a restart (None: in memory only)."""

    def get(self, sid: str | None) -> BrowserSession | None:
        session = self._by_sid.get(sid or "")
        if session is None and sid and self.kept is not None:
            found = self.kept.find(sid)
            if found is not None:
                session = BrowserSession(sid, found[0], found[1])
                self._by_sid[sid] = session
        return session

    def new(self) -> BrowserSession:
        while len(self._by_sid) >= MAX_SESSIONS:
            self._by_sid.pop(next(iter(self._by_sid)))
        session = BrowserSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        self._by_sid[session.sid] = session
        return session

    def signed_in(self, previous: BrowserSession, token: str) -> BrowserSession:
        """A fresh id and CSRF token at sign-in (no session fixation)."""
        self.drop(previous)
        session = self.new()
        session.token = token
        if self.kept is not None:
            self.kept.keep(session.sid, session.csrf, token)
        return session

    def drop(self, session: BrowserSession) -> None:
        self._by_sid.pop(session.sid, None)
        if self.kept is not None and session.token is not None:
            self.kept.forget(session.sid)
