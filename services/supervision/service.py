"""Unit commands (``cmd.unit.<verb>``), order and circular commands (``cmd.notice.<verb>``) and
the spot-check list query, by request/reply.

Each handler parses, calls one method on the store thread, and answers; the rules live in the
aggregates and in ``spotcheck``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict

from nats.aio.msg import Msg

from events.commands import UNIT_COMMAND_ADAPTER, ErrorInfo, Reply
from events.notice_commands import NOTICE_COMMAND_ADAPTER, IssueNotice, NoticeCommand
from events.subjects import NOTICE_COMMAND_PREFIX, UNIT_COMMAND_PREFIX
from services.casework.application import Casework
from services.casework.errors import DomainError
from services.casework.replies import read_command
from services.casework.store_thread import StoreThread
from services.clock import china_date
from services.identity.errors import IdentityError
from services.identity.guard import CommandGuard, session_of
from services.supervision.campaign import Campaign
from services.supervision.follow import ReportCounts
from services.supervision.spotcheck import spot_check_list

log = logging.getLogger(__name__)

ALL_UNITS = "全体单位"
"""How the audit log names the target of a circular to all units."""


class SupervisionService:
    """Answers unit commands and the spot-check query from inside the casework process."""

    def __init__(self, casework: Casework, store: StoreThread, campaign: Campaign,
                 guard: CommandGuard, on_recorded: Callable[[], None]) -> None:
        self.casework, self.store, self.campaign, self.guard = casework, store, campaign, guard
        self.on_recorded = on_recorded
        self.counts = ReportCounts()

    async def on_command(self, msg: Msg) -> None:
        reply = await self.store.run(self._decide, msg.subject.removeprefix(UNIT_COMMAND_PREFIX),
                                     msg.data, session_of(msg))
        if reply.ok:
            self.on_recorded()
        await msg.respond(reply.model_dump_json().encode())

    def _decide(self, verb: str, data: bytes, session: str | None) -> Reply:
        command = read_command(UNIT_COMMAND_ADAPTER, verb, data)
        if isinstance(command, Reply):
            return command
        try:
            actor = self.guard.actor(session, command.actor, f"unit.{verb}", command.unit,
                                     command.unit)
            version = self.casework.handle_unit(
                command.model_copy(update={"actor": actor.name}), actor.person_id)
        except DomainError as refused:
            return Reply(ok=False, unit=command.unit, error=refused.info())
        except IdentityError as refused:
            return Reply(ok=False, unit=command.unit, error=ErrorInfo(**refused.info()))
        return Reply(ok=True, unit=command.unit, version=version)

    async def on_notice(self, msg: Msg) -> None:
        reply = await self.store.run(self._decide_notice,
                                     msg.subject.removeprefix(NOTICE_COMMAND_PREFIX), msg.data,
                                     session_of(msg))
        if reply.ok:
            self.on_recorded()
        await msg.respond(reply.model_dump_json().encode())

    def _decide_notice(self, verb: str, data: bytes, session: str | None) -> Reply:
        command = read_command(NOTICE_COMMAND_ADAPTER, verb, data)
        if isinstance(command, Reply):
            return command
        unit: str | None = None
        try:
            unit = self._addressee(command)
            actor = self.guard.actor(session, command.actor, f"notice.{verb}", unit,
                                     str(command.problem_id or unit or ALL_UNITS))
            signed = command.model_copy(update={"actor": actor.name})
            if isinstance(signed, IssueNotice) and signed.to_all_units:
                units = self.casework.circulate_to_all(signed, self.campaign.units,
                                                       actor.person_id)
                return Reply(ok=True, units=units)
            version = self.casework.handle_notice(signed, actor.person_id)
        except DomainError as refused:
            return Reply(ok=False, problem_id=command.problem_id, unit=unit,
                         error=refused.info())
        except IdentityError as refused:
            return Reply(ok=False, problem_id=command.problem_id, unit=unit,
                         error=ErrorInfo(**refused.info()))
        return Reply(ok=True, problem_id=command.problem_id, unit=unit, version=version)

    def _addressee(self, command: NoticeCommand) -> str | None:
        """The unit a notice command concerns: the problem's, the one named, or none (all)."""
        if command.problem_id is not None:
            return self.casework.get_problem(command.problem_id).unit
        return command.unit

    async def on_spot_check(self, msg: Msg) -> None:
        await msg.respond(await self.store.run(self._spot_check))

    def _spot_check(self) -> bytes:
        self.counts.catch_up(self.casework)
        today = china_date(self.casework.clock())
        entries = spot_check_list(self.counts.reports(), self.campaign.units,
                                  self.campaign.low_report_share,
                                  self.campaign.strong_public_reports)
        answer = {
            "ok": True,
            "today": today.isoformat(),
            "collection_over": self.campaign.collection_over(today),
            "collection_end": self.campaign.phases.collection.end.isoformat(),
            "entries": [asdict(e) for e in entries],
        }
        return json.dumps(answer, ensure_ascii=False).encode()

