"""Reading commands ask the running rectify first whether the signed-in person may read what
they ask for (``auth.read``): a unit's staff read their own unit, the bureau's leaders,
inspectors and the campaign office everything, administrators no business data. The service
records every refusal in the audit log.

Where no rectify answers (none runs, or ``--nats-url`` names a bare NATS), nobody is asked: the
read models are then files their owner opens directly (docs/ARCHITECTURE.md, known limits).
"""

from __future__ import annotations

import json
from typing import Any

from nats.aio.client import Client
from nats.errors import NoRespondersError

from events.subjects import READ_REQUEST
from services.cli.client import UnreachableError, connected
from services.cli.options import Session
from services.runtime.config import read_runtime

TIMEOUT_SECONDS = 15.0


async def asked(client: Client, session: Session, what: str, unit: str | None) -> None:
    """Ask on ``client``; a refusal (or no answer from a rectify that runs) ends the command."""
    body = json.dumps({"what": what, "unit": unit}, ensure_ascii=False).encode()
    try:
        reply = await client.request(READ_REQUEST, body, timeout=TIMEOUT_SECONDS,
                                     headers=session.headers() or None)
    except NoRespondersError:
        return
    except TimeoutError:  # nats-py's own and the plain asyncio one
        session.out.fail("rectify 未及时答复能否查阅，请稍后再试",
                         "rectify did not say in time whether you may read this: try again")
    answer: dict[str, Any] = json.loads(reply.data)
    if not answer.get("ok"):
        error = answer.get("error") or {}
        session.out.fail(error.get("zh", "无权查阅"), error.get("en", "not allowed to read"),
                         extra={"code": error.get("code")})


def check_read(session: Session, what: str, unit: str | None) -> None:
    """May the signed-in person read ``what`` of ``unit`` (None: every unit)?"""
    if session.nats_url is None and read_runtime(session.data_dir) is None:
        return

    async def ask() -> None:
        try:
            async with connected(session.url()) as client:
                await asked(client, session, what, unit)
        except UnreachableError:
            return  # no NATS: no rectify runs to ask (reads go on during an outage)

    session.run(ask())
