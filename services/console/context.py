"""What every part of the console works with: the services behind it, its read models and
settings (``Console``), and today's date in China."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from projections.engine.store import ReadStore
from projections.exports.summary_document import DEFAULT_TEMPLATE
from projections.models.facts import local_date
from services.clock import system_clock
from services.console.backend import Backend
from services.console.browser import BrowserSessions
from services.console.evidence import EvidenceStore
from services.console.sso import ConsoleSso
from services.identity.audit import AuditLog
from services.identity.directory import Person
from services.reporters.keys import IntakeKeys


@dataclass
class Console:
    backend: Backend
    store: ReadStore
    evidence: EvidenceStore
    audit: AuditLog
    tracking_key: bytes
    as_of: Callable[[datetime, Sequence[str]], Awaitable[ReadStore]] | None = None
    """The read models as they stood at a moment, replayed from EVENTS (None: not offered)."""
    secure_cookie: bool = False
    sessions: BrowserSessions | None = None
    intake_keys: IntakeKeys | None = None
    """For filing an uploaded ledger's problems through the gateway (None: not offered)."""
    summary_template: Path = DEFAULT_TEMPLATE
    """The Word template of the summary's docx (a bureau's own, or the one rectify ships)."""
    sso: ConsoleSso | None = None
    """统一身份认证登录, where a provider is configured."""
    directory: Callable[[], Iterable[Person]] | None = None
    """The staff directory as of now, for the pickers (None: names on record only)."""

    def __post_init__(self) -> None:
        self.sessions = self.sessions or BrowserSessions()

    @property
    def browsers(self) -> BrowserSessions:
        assert self.sessions is not None
        return self.sessions

    def people(self) -> list[Person]:
        return list(self.directory()) if self.directory is not None else []

    async def read(self, reader: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(reader, self.store, *args)


def today() -> date:
    return local_date(system_clock())
