"""Damaging a stopped rectify's EVENTS as a disk fault or an intruder would.

The stream is append-only (deny delete, deny purge) and that cannot be undone through the API,
so the damage is done the way it happens for real: the stream's content is replaced by a copy
made without those guards (as a restore from an old backup would), and then a message is
deleted, a byte altered, a message forged in, or the whole stream purged.
"""

from __future__ import annotations

import asyncio
import enum
from pathlib import Path

import nats
from nats.js.api import RawStreamMsg, StreamConfig

from events.subjects import (
    EVENTS_STREAM,
    EVENTS_SUBJECTS,
    HEADER_EXPECTED_LAST_SEQUENCE,
    HEADER_MSG_ID,
)
from services.runtime.nats_server import EmbeddedNats


class Damage(enum.Enum):
    DELETED = "deleted"
    ALTERED = "altered"
    FORGED = "forged"
    PURGED = "purged"


def damage_events(data_dir: Path, how: Damage, sequence: int) -> None:
    """Damage EVENTS of the (stopped) rectify of ``data_dir`` at ``sequence``."""
    server = EmbeddedNats(data_dir / "nats")
    server.start()
    try:
        asyncio.run(_damage(server.url, how, sequence))
    finally:
        server.stop()


async def _damage(url: str, how: Damage, sequence: int) -> None:
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        last = (await js.stream_info(EVENTS_STREAM)).state.last_seq
        copy = [await js.get_msg(EVENTS_STREAM, seq) for seq in range(1, last + 1)]
        await js.delete_stream(EVENTS_STREAM)
        await js.add_stream(StreamConfig(name=EVENTS_STREAM, subjects=[EVENTS_SUBJECTS]))
        for message in copy:
            assert message.data is not None
            if how is Damage.ALTERED and message.seq == sequence:
                altered = bytearray(message.data)
                altered[len(altered) // 2] ^= 0x01
                await _publish(js, message, bytes(altered))
            else:
                await _publish(js, message, message.data)
        if how is Damage.FORGED:  # one more, after the last, its headers copied from another
            model = copy[sequence - 1]
            assert model.data is not None
            await _publish(js, model, model.data.replace(b"ProblemReported", b"ProblemClosed", 1),
                           subject=(model.subject or "").replace("ProblemReported",
                                                                 "ProblemClosed"),
                           msg_id=f"forged-{sequence}")
        if how is Damage.DELETED:
            await js.delete_msg(EVENTS_STREAM, sequence)
        elif how is Damage.PURGED:
            await js.purge_stream(EVENTS_STREAM)
    finally:
        await client.close()


async def _publish(js: nats.js.JetStreamContext, message: RawStreamMsg, body: bytes,
                   subject: str | None = None, msg_id: str | None = None) -> None:
    headers = {k: v for k, v in (message.headers or {}).items()
               if k != HEADER_EXPECTED_LAST_SEQUENCE}
    if msg_id is not None:
        headers[HEADER_MSG_ID] = msg_id
    await js.publish(subject or message.subject or "", body, headers=headers)
