"""Part ``console`` of ``rectify up`` (``--without console`` leaves it off): the staff console on
its own listener, talking to the services over the same NATS as the CLI."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import nats

from projections.engine.rebuild import build_as_of
from projections.engine.service import open_read_store
from services.cli.summary import summary_template
from services.console.app import create_app
from services.console.backend import Backend
from services.console.browser import BrowserSessions
from services.console.context import Console
from services.console.evidence import EvidenceStore
from services.console.kept_sessions import KeptSessions
from services.console.sso import ConsoleSso
from services.identity.oidc_config import load_oidc
from services.intake.http import serving
from services.reporters.keys import IntakeKeys
from services.runtime.config import IntakeSettings
from services.runtime.context import PartContext

EVIDENCE_DIR = "evidence"
KEPT_SESSIONS = "console-sessions.sqlite"


@contextlib.asynccontextmanager
async def console(context: PartContext) -> AsyncIterator[None]:
    settings = context.settings
    client = await nats.connect(context.nats_url, name="rectify-console")
    store = open_read_store(settings.read_store_location())
    keys = IntakeKeys.for_settings(settings, create=True)
    listener = IntakeSettings(host=settings.console.host, http_port=settings.console.port)
    oidc = load_oidc(settings.data_dir)
    kept = KeptSessions(settings.data_dir / KEPT_SESSIONS)
    app = create_app(
        Console(
            Backend(client),
            store,
            EvidenceStore(
                settings.data_dir / EVIDENCE_DIR,
                int(settings.console.evidence_max_mb * 1024 * 1024),
            ),
            context.audit,
            keys.tracking,
            as_of=lambda moment, names: build_as_of(client.jetstream(), moment,
                                                    names=list(names), key=context.seal_key),
            intake_keys=keys,
            summary_template=summary_template(settings.data_dir),
            sso=ConsoleSso(oidc.label, oidc.redirect_uri) if oidc else None,
            sessions=BrowserSessions(kept),
            directory=context.people,
        )
    )
    try:
        async with serving(app, listener) as url:
            context.endpoints["console"] = url
            yield
    finally:
        store.close()
        kept.close()
        await client.drain()
