"""The supervisor: passing failures are restarts, real stops are alarms, nothing is quiet."""

from __future__ import annotations

import asyncio

import nats.errors

from projections.engine.errors import StreamGapError
from services.runtime.supervisor import Supervisor
from tests.integration.harness import wait_until


def test_passing_failures_restart_the_task_without_an_alarm() -> None:
    failures = [TimeoutError(), nats.errors.TimeoutError(),
                nats.errors.ConnectionClosedError()]

    async def flaky() -> None:
        if failures:
            raise failures.pop(0)

    async def scenario() -> Supervisor:
        supervisor = Supervisor()
        await asyncio.wait_for(supervisor.start("relay", flaky), timeout=30)
        return supervisor

    supervisor = asyncio.run(scenario())
    assert supervisor.restarts == {"relay": 3}
    assert supervisor.alarms == {}


def test_a_real_stop_is_an_alarm_saying_what_happened_and_what_to_do_and_is_not_restarted(
) -> None:
    runs = 0

    async def diverged() -> None:
        nonlocal runs
        runs += 1
        raise StreamGapError(expected=5, found=6)

    async def scenario() -> Supervisor:
        supervisor = Supervisor()
        await asyncio.wait_for(supervisor.start("projections", diverged), timeout=10)
        return supervisor

    supervisor = asyncio.run(scenario())
    assert runs == 1
    alarm = supervisor.alarms["projections"]
    assert "第 5 条" in alarm.zh
    assert "rectify repair --apply" in alarm.zh
    assert "rectify repair --apply" in alarm.en
    assert supervisor.halted("projections")


def test_an_unforeseen_failure_without_a_message_is_restarted_and_never_an_empty_alarm() -> None:
    seen: list[str] = []

    async def buggy() -> None:
        raise ValueError

    async def scenario() -> None:
        supervisor = Supervisor()
        supervisor.start("watchdog", buggy)

        async def alarmed() -> bool:
            return "watchdog" in supervisor.alarms

        await wait_until(alarmed, timeout=10, what="the watchdog's alarm")
        seen.append(supervisor.alarms["watchdog"].zh)
        seen.append(supervisor.alarms["watchdog"].en)
        assert supervisor.restarts["watchdog"] >= 1
        await supervisor.stop_all()

    asyncio.run(asyncio.wait_for(scenario(), timeout=10))
    assert all("ValueError" in text for text in seen)


def test_a_halted_task_is_resumed_with_its_alarm_cleared() -> None:
    attempts = 0

    async def heals() -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise StreamGapError(expected=2, found=3)

    async def scenario() -> Supervisor:
        supervisor = Supervisor()
        await supervisor.start("projections", heals)
        assert supervisor.halted("projections")
        await supervisor.resume("projections")
        await asyncio.wait_for(supervisor.tasks["projections"], timeout=10)
        return supervisor

    supervisor = asyncio.run(scenario())
    assert attempts == 2
    assert supervisor.alarms == {}
