"""``rectify up``: every service in one process, on embedded NATS and SQLite unless configured.

Start order: lock the data directory, start (or reach) NATS, create streams, open the event
and read-model stores, start casework and the relay, then the optional parts (projections,
gateways, ...), and publish the address book. Stop order is the reverse, with consumers drained
and the relay caught up before NATS goes down.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import IO

from faststream.nats import NatsBroker
from nats import connect as nats_connect

from events.subjects import REPAIR_COMMAND, STATUS_QUERY
from projections.engine.service import open_read_store
from projections.engine.store import ReadStore
from services.casework.application import Casework
from services.casework.service import CaseworkService
from services.casework.store_thread import StoreThread
from services.identity.accounts import Accounts
from services.identity.door import ReporterDoor, serving_reporter_door
from services.identity.filing import FilingDesk, serving_filing_desk
from services.identity.guard import CommandGuard
from services.identity.reading import serving_read_check
from services.identity.service import serving_identity
from services.identity.sso_service import serving_sso
from services.identity.store import IdentityStore
from services.identity.tickets import IntakeTickets
from services.relay.outbox import Relay
from services.reporters.keys import IntakeKeys
from services.runtime.bus import PART_USERS, BusUsers, without_credentials
from services.runtime.config import RUNTIME_FILE, Settings, load_seal_key, write_runtime
from services.runtime.context import Runtime
from services.runtime.nats_server import EmbeddedNats
from services.runtime.parts import PARTS
from services.runtime.ports import PortInUseError, check_ports_free
from services.runtime.repairing import repair_handler
from services.runtime.status import gather_status
from services.runtime.streams import ensure_streams_as

log = logging.getLogger(__name__)


class AlreadyRunningError(RuntimeError):
    pass


def _lock_data_dir(data_dir: Path) -> IO[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / "up.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyRunningError(
            f"{data_dir} 已有 rectify up 在运行 (rectify up is already running for {data_dir})"
        ) from None
    return handle


def _wait_for_orphaned_nats(data_dir: Path, timeout: float = 15.0) -> None:
    """A killed predecessor's nats-server stops by itself (PDEATHSIG); wait until it has."""
    pid_file = data_dir / "nats" / "nats-server.pid"
    try:
        pid = int(pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Runtime]:
    """Everything started, yielded while it runs, then stopped in reverse order."""
    lock = _lock_data_dir(settings.data_dir)
    try:
        check_ports_free(settings)
    except PortInUseError:
        lock.close()
        raise
    nats: EmbeddedNats | None = None
    users = BusUsers.configured(settings.data_dir, external=settings.nats_url is not None)
    if settings.nats_url is None and users is not None:
        _wait_for_orphaned_nats(settings.data_dir)
        nats = EmbeddedNats(settings.data_dir / "nats", settings.nats_port, settings.sync_always,
                            authorization=users.authorization())
        nats.start()
        _note_pid(nats)
    public_url = without_credentials(settings.nats_url or (nats.url if nats else ""))
    nats_url = users.url(public_url, "casework") if users else settings.nats_url or public_url
    broker = NatsBroker(nats_url, logger=None, graceful_timeout=10.0)
    store = StoreThread()
    read_store: ReadStore | None = None
    try:
        await broker.connect()
        js = broker.connection.jetstream()
        await ensure_streams_as(users.url(public_url, "admin") if users else nats_url)
        keys = IntakeKeys.for_settings(settings, create=True)
        casework = await store.run(Casework, settings.store_env(), tracking_key=keys.tracking)
        read_store = open_read_store(settings.read_store_location())
        relay_bus = await nats_connect(users.url(public_url, "relay") if users else nats_url,
                                       name="rectify-relay")
        relay = Relay(casework, store, relay_bus.jetstream(),
                      load_seal_key(settings.data_dir, create=True))
        accounts = Accounts(IdentityStore.in_data_dir(settings.data_dir))
        guard = CommandGuard(accounts, settings.local_admin)
        runtime = Runtime(settings, nats_url, js, casework, store, relay, read_store, accounts,
                          guard, bus_users=users, public_url=public_url)
        runtime.endpoints["nats"] = public_url
        tickets = IntakeTickets.under(relay.key)
        service = CaseworkService(casework, store, js, guard, relay.wake, tickets)
        broker.include_router(service.router)
        broker.subscriber(STATUS_QUERY)(_status_handler(runtime))
        broker.subscriber(REPAIR_COMMAND)(repair_handler(runtime))
        await broker.start()
        if nats is not None:
            runtime.supervisor.start("nats", lambda: _keep_running(nats))
        runtime.supervisor.start("relay", relay.run)
        runtime.supervisor.start("intake", service.consume_intake)
        try:
            async with contextlib.AsyncExitStack() as parts:
                bus_log = nats.store_dir / "nats-server.log" if nats else None
                await parts.enter_async_context(serving_identity(nats_url, accounts, bus_log))
                await parts.enter_async_context(serving_sso(nats_url, accounts, settings.data_dir))
                door = ReporterDoor(accounts, casework, keys.cipher)
                await parts.enter_async_context(serving_reporter_door(nats_url, door, store))
                desk = FilingDesk(guard, keys, tickets)
                await parts.enter_async_context(serving_filing_desk(nats_url, desk))
                await parts.enter_async_context(serving_read_check(nats_url, guard))
                for name, part in PARTS.items():
                    if name not in settings.without:
                        context = runtime.context_for(name, PART_USERS.get(name, name))
                        await parts.enter_async_context(part(context))
                write_runtime(settings.data_dir, {
                    "pid": os.getpid(), "nats_url": public_url, "store": settings.store_label(),
                    "read_store": settings.read_store_location(), "endpoints": runtime.endpoints,
                })
                try:
                    yield runtime
                finally:
                    (settings.data_dir / RUNTIME_FILE).unlink(missing_ok=True)
        finally:
            await runtime.supervisor.stop("intake")
            await broker.stop()
            await _finish_relay(runtime, relay)
            await relay_bus.close()
    finally:
        if read_store is not None:
            read_store.close()
        store.close()
        if nats is not None:
            nats.stop()
        lock.close()


class EmbeddedNatsExitedError(RuntimeError):
    """The embedded nats-server exited while rectify up runs: the supervisor starts it again."""


def _note_pid(nats: EmbeddedNats) -> None:
    assert nats.process is not None
    (nats.store_dir / "nats-server.pid").write_text(str(nats.process.pid))


async def _keep_running(nats: EmbeddedNats) -> None:
    """Watch the embedded nats-server; once it exited, start it again (same port, same store;
    the clients reconnect by themselves)."""
    assert nats.process is not None
    if nats.process.poll() is not None:
        # On this (the main) thread: Linux ends a child whose parent *thread* exits (PDEATHSIG),
        # so starting it from a worker thread could end it when that thread does.
        nats.start()
        _note_pid(nats)
        log.warning("embedded nats-server started again on %s", nats.url)
    code = await asyncio.to_thread(nats.process.wait)  # ends when rectify up stops it, too
    raise EmbeddedNatsExitedError(f"nats-server 退出（{code}）/ nats-server exited ({code})")


async def _finish_relay(runtime: Runtime, relay: Relay, timeout: float = 10.0) -> None:
    """Let the relay publish what was recorded before stopping it."""
    deadline = time.monotonic() + timeout
    task = runtime.supervisor.tasks.get("relay")
    while task is not None and not task.done() and time.monotonic() < deadline:
        if relay.published >= await runtime.store.run(runtime.casework.position):
            break
        relay.wake()
        await asyncio.sleep(0.05)
    await runtime.supervisor.stop_all()


def _status_handler(runtime: Runtime) -> Callable[[], Awaitable[bytes]]:
    async def on_status() -> bytes:
        status = await gather_status(runtime)
        return status.model_dump_json().encode()

    return on_status


async def serve(settings: Settings, after_start: Callable[[Runtime], Awaitable[None]]
                | None = None) -> None:
    """Run until SIGINT or SIGTERM, then stop cleanly; a halted part is an alarm meanwhile."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(settings) as runtime:
        if after_start is not None:
            await after_start(runtime)
        await stop.wait()
