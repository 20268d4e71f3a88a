"""The supervision parts of ``rectify up``: ``supervision`` (the campaign, unit commands, the
spot-check list) and ``watchdog`` (deadline warnings), each switched off with ``--without``."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import nats
from nats.aio.msg import Msg

from events.subjects import (
    NOTICE_COMMAND_PREFIX,
    SPOT_CHECK_QUERY,
    UNIT_COMMAND_PREFIX,
    WATCHDOG_QUERY,
)
from services.casework.campaign_rules import CampaignRules
from services.casework.units import UnitDirectory
from services.runtime.context import PartContext
from services.supervision.campaign import Campaign, CampaignError, campaign_location, load_campaign
from services.supervision.service import SupervisionService
from services.supervision.watchdog import Watchdog

WATCHDOG_INTERVAL_ENV = "RECTIFY_WATCHDOG_SECONDS"
DEFAULT_WATCHDOG_INTERVAL = 60.0


def runtime_campaign(data_dir: Path) -> Campaign:
    """The campaign this ``rectify up`` runs; a broken campaign file stops it, saying why."""
    try:
        return load_campaign(campaign_location(None, data_dir))
    except CampaignError as broken:
        raise SystemExit(f"rectify: {broken.zh} / {broken.en}") from None


@contextlib.asynccontextmanager
async def supervision(context: PartContext) -> AsyncIterator[None]:
    """Unit commands, order and circular commands, and the spot-check query; the campaign's
    rebound window for filing and its limits on plans for casework."""
    campaign = runtime_campaign(context.settings.data_dir)
    recording = context.recording
    casework = recording.casework
    casework.rebound.window_days = campaign.rebound_days
    casework.units = UnitDirectory.of(campaign.units, context.settings.intake.public_unit)
    casework.campaign_rules = CampaignRules(campaign.phases.rectification.end, campaign.end,
                                            campaign.causes)
    service = SupervisionService(casework, recording.store, campaign, recording.guard,
                                 recording.recorded)
    client = await nats.connect(context.nats_url, name="rectify-supervision")
    try:
        await client.subscribe(f"{UNIT_COMMAND_PREFIX}*", queue="casework",
                               cb=service.on_command)
        await client.subscribe(f"{NOTICE_COMMAND_PREFIX}*", queue="casework",
                               cb=service.on_notice)
        await client.subscribe(SPOT_CHECK_QUERY, queue="casework", cb=service.on_spot_check)
        yield
    finally:
        await client.drain()


@contextlib.asynccontextmanager
async def watchdog(context: PartContext) -> AsyncIterator[None]:
    """Sweeps at start and every ``$RECTIFY_WATCHDOG_SECONDS`` (default 60) seconds."""
    interval = float(os.environ.get(WATCHDOG_INTERVAL_ENV, DEFAULT_WATCHDOG_INTERVAL))
    recording = context.recording
    dog = Watchdog(recording.casework, recording.store, runtime_campaign(context.settings.data_dir),
                   recording.recorded)


    def report(sweeps: int) -> None:  # `rectify status` shows that, and how often, it looked
        context.endpoints["watchdog"] = f"every {interval:g} s; sweeps {sweeps}"

    async def on_query(msg: Msg) -> None:  # how many sweeps so far: tests wait on it
        answer = {"ok": True, "sweeps": dog.sweeps, "interval": interval,
                  "alarm": alarm.zh if (alarm := context.supervisor.alarms.get("watchdog"))
                  else None}
        await msg.respond(json.dumps(answer, ensure_ascii=False).encode())

    report(0)
    client = await nats.connect(context.nats_url, name="rectify-watchdog")
    await client.subscribe(WATCHDOG_QUERY, cb=on_query)
    context.supervisor.start("watchdog", lambda: dog.run(interval, report))
    try:
        yield
    finally:
        await context.supervisor.stop("watchdog")
        await client.drain()
