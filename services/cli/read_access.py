"""Reading commands ask the running rectify first whether the signed-in person may read what
they ask for (``auth.read``): a unit's staff read their own unit, the bureau's leaders,
inspectors and the campaign office everything, administrators no business data. The service
records every refusal in the audit log."""

from __future__ import annotations

from typing import Any

from nats.aio.client import Client

from events.subjects import READ_REQUEST
from services.cli.client import connected, request
from services.cli.options import Session
from services.runtime.config import read_runtime


async def asked(client: Client, session: Session, what: str, unit: str | None) -> None:
    """Ask on ``client``; a refusal ends the command with its reason."""
    answer: dict[str, Any] = await request(client, READ_REQUEST, {"what": what, "unit": unit},
                                           headers=session.headers())
    if not answer.get("ok"):
        error = answer.get("error") or {}
        session.out.fail(error.get("zh", "无权查阅"), error.get("en", "not allowed to read"),
                         extra={"code": error.get("code")})


def check_read(session: Session, what: str, unit: str | None) -> None:
    """May the signed-in person read ``what`` of ``unit`` (None: every unit)? Asked of the
    running rectify; with none running, the read models are the data directory owner's files
    and no service stands between them (see docs/ARCHITECTURE.md, known limits)."""
    if session.nats_url is None and read_runtime(session.data_dir) is None:
        return

    async def ask() -> None:
        async with connected(session.url()) as client:
            await asked(client, session, what, unit)

    session.run(ask())
