"""What the parts of ``rectify up`` are given: the running core, and for each optional part a
small context of its own (its NATS user's address and the few things it may use).

This module imports no part and no wiring, so ``process.py`` (the wiring), ``parts.py`` (the
registry), ``status.py`` and each ``*/parts.py`` depend on it and not on one another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from nats.js import JetStreamContext

from events.seal import SealKey
from projections.engine.store import ReadStore
from services.casework.application import Casework
from services.casework.store_thread import StoreThread
from services.identity.accounts import Accounts
from services.identity.audit import AuditLog
from services.identity.directory import Person
from services.identity.guard import CommandGuard
from services.relay.outbox import Relay
from services.runtime.bus import BusUsers
from services.runtime.config import Settings
from services.runtime.supervisor import Supervisor


@dataclass(frozen=True)
class Recording:
    """Recording events in-process, for the parts that record them themselves (supervision,
    watchdog, answers): the application, the thread it runs on, and the relay to wake."""

    casework: Casework
    store: StoreThread
    recorded: Callable[[], None]
    """Wakes the relay: something new is in the store."""
    guard: CommandGuard
    """Who may do what: for the parts that answer staff commands."""


@dataclass(frozen=True)
class PartContext:
    """What one optional part may use. ``nats_url`` carries the part's own NATS user (see
    ``services.runtime.bus``), so what it may do on the bus is what that user may do."""

    name: str
    settings: Settings
    nats_url: str
    supervisor: Supervisor
    endpoints: dict[str, str]
    """Where each part listens, by name: a part adds its own (``rectify status`` shows them)."""
    seal_key: SealKey
    """Checks the relay's seal on what a part reads from EVENTS."""
    recording: Recording
    read_store: ReadStore
    audit: AuditLog
    people: Callable[[], Iterable[Person]]
    """The staff directory as it stands (the console's pickers)."""


@dataclass
class Runtime:
    """The running core, for the status query, repairs and in-process callers (the demo)."""

    settings: Settings
    nats_url: str
    js: JetStreamContext
    casework: Casework
    store: StoreThread
    relay: Relay
    read_store: ReadStore
    accounts: Accounts
    guard: CommandGuard
    supervisor: Supervisor = field(default_factory=Supervisor)
    """Every long-running task, restarted after a failure, halted with an alarm on a real stop."""
    endpoints: dict[str, str] = field(default_factory=dict)
    """Where each part listens, by part name (``rectify status`` shows them)."""
    bus_users: BusUsers | None = None
    """The NATS users (None on an external NATS without them: every part uses ``nats_url``)."""
    public_url: str = ""
    """NATS's address without credentials, for display."""

    def url_for(self, user: str) -> str:
        """Where the part acting as ``user`` (``services.runtime.bus``) connects."""
        return self.bus_users.url(self.public_url, user) if self.bus_users else self.nats_url

    def context_for(self, part: str, user: str) -> PartContext:
        """The part's context, connecting as ``user``."""
        return PartContext(
            name=part, settings=self.settings, nats_url=self.url_for(user),
            supervisor=self.supervisor, endpoints=self.endpoints, seal_key=self.relay.key,
            recording=Recording(self.casework, self.store, self.relay.wake, self.guard),
            read_store=self.read_store, audit=self.accounts.audit,
            people=lambda: self.accounts.directory().people.values())
