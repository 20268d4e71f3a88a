"""The deadline watchdog (到期监测): at start and then periodically, it records by itself the
warnings that are due: deadlines near or missed, milestones behind, orders and circulars left
unanswered past their date, and campaign filings not sent in time.

It records through the aggregates in this process, on the store thread; each warning has a
derived id the aggregate refuses twice, and a save that collides with a staff command is simply
tried again at the next sweep, so every warning is recorded exactly once, across restarts too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError, RecordConflictError

from events.vocabulary import Via
from services.casework.application import Casework
from services.casework.errors import DomainError
from services.casework.problem import Act, Problem
from services.casework.store_thread import StoreThread
from services.casework.unit import Unit
from services.clock import Clock, china_date, system_clock
from services.supervision.campaign import Campaign
from services.supervision.deadlines import overdue_filings, overdue_notices, problem_warnings
from services.supervision.follow import WatchList

log = logging.getLogger(__name__)

WATCHDOG_ACTOR = "系统预警"
"""Who the watchdog's facts name (via ``system``)."""


class Watchdog:
    """Sweeps every open problem and every unit against today's date."""

    def __init__(self, casework: Casework, store: StoreThread, campaign: Campaign,
                 on_recorded: Callable[[], None], clock: Clock = system_clock) -> None:
        self.casework, self.store, self.campaign = casework, store, campaign
        self.on_recorded, self.clock = on_recorded, clock
        self.watch = WatchList()
        self.sweeps = 0

    async def run(self, interval: float, after_sweep: Callable[[int], None]) -> None:
        """Sweep now, then every ``interval`` seconds, until cancelled."""
        while True:
            await self.sweep()
            after_sweep(self.sweeps)
            await asyncio.sleep(interval)

    async def sweep(self) -> int:
        """One look at everything; returns how many facts it recorded."""
        today = china_date(self.clock())
        await self.store.run(self.watch.catch_up, self.casework)
        recorded = 0
        for problem_id in sorted(self.watch.open_problems):
            recorded += await self.store.run(self._check_problem, problem_id, today)
        for unit in sorted(self.watch.units | set(self.campaign.units)):
            recorded += await self.store.run(self._check_unit, unit, today)
        if recorded:
            self.on_recorded()
        self.sweeps += 1
        return recorded

    def _check_problem(self, problem_id: UUID, today: date) -> int:
        problem = self.casework.get_problem(problem_id)
        act = self._act()
        try:
            for warning in problem_warnings(problem, today, self.campaign.warning_days):
                problem.warn(act, warning)
            for overdue in overdue_notices(problem.id, problem.notices, today):
                problem.flag_response_overdue(act, overdue.warning_id, overdue.notice.notice,
                                              overdue.notice.number)
        except DomainError as refused:  # a rule the sweep overlooked: say so, record nothing
            log.error("watchdog: problem %s refused a warning: %s", problem_id, refused.en)
            return 0
        return self._save(problem)

    def _check_unit(self, name: str, today: date) -> int:
        unit = self.casework.get_unit(name)
        act = self._act()
        try:
            for filing in overdue_filings(unit, self.campaign, today):
                unit.flag_filing_overdue(act, filing.warning_id, filing.filing, filing.due)
            for overdue in overdue_notices(unit.id, unit.notices, today):
                unit.flag_response_overdue(act, overdue.warning_id, overdue.notice.notice,
                                           overdue.notice.number)
        except DomainError as refused:
            log.error("watchdog: unit %s refused a warning: %s", name, refused.en)
            return 0
        return self._save(unit)

    def _save(self, aggregate: Problem | Unit) -> int:
        count = len(aggregate.pending_events)
        if not count:
            return 0
        try:
            self.casework.save(aggregate)
        except (RecordConflictError, IntegrityError):
            # Someone changed it meanwhile: the next sweep reloads it and decides again.
            log.info("watchdog: %s changed meanwhile; trying again next sweep", aggregate.id)
            return 0
        return count

    def _act(self) -> Act:
        return Act(WATCHDOG_ACTOR, Via.SYSTEM, self.clock())
