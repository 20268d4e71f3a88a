"""What the relay publishes for one stored event: one definition, used to publish and to check.

The subject, the body (the stored event's own JSON, unsealed) and the headers, sealed with the
relay's key (``events.seal``). ``rectify repair`` and the relay's own checks compare EVENTS with
the store through the same function, so "what the store says message N must be" is written once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import Notification

from events.identity import event_id_for
from events.seal import SealKey
from events.subjects import (
    HEADER_EVENT_TYPE,
    HEADER_EVENT_VERSION,
    HEADER_EXPECTED_LAST_SEQUENCE,
    HEADER_MSG_ID,
    HEADER_POSITION,
    HEADER_PROBLEM_ID,
    HEADER_PROBLEM_VERSION,
    HEADER_SEAL,
    HEADER_UNIT_ID,
    HEADER_UNIT_VERSION,
    event_subject,
)
from services.casework.mapper import FactMapper


@dataclass(frozen=True)
class Outgoing:
    """The message EVENTS must hold at ``position``."""

    position: int
    subject: str
    body: bytes
    headers: dict[str, str]

    @property
    def msg_id(self) -> str:
        return self.headers[HEADER_MSG_ID]


def outgoing(mapper: FactMapper, key: SealKey, notification: Notification) -> Outgoing:
    body = mapper.unseal(notification.state)
    fact = json.loads(body)
    aggregate_id = UUID(str(notification.originator_id))
    # A unit fact (no problem_id, or none: a notice to the unit) names its unit's aggregate.
    id_header, version_header = (HEADER_PROBLEM_ID, HEADER_PROBLEM_VERSION) \
        if fact.get("problem_id") is not None else (HEADER_UNIT_ID, HEADER_UNIT_VERSION)
    msg_id = str(event_id_for(aggregate_id, notification.originator_version))
    headers = {
        HEADER_MSG_ID: msg_id,
        HEADER_EXPECTED_LAST_SEQUENCE: str(notification.id - 1),
        HEADER_EVENT_TYPE: fact["type"],
        HEADER_EVENT_VERSION: str(fact["version"]),
        id_header: str(aggregate_id),
        version_header: str(notification.originator_version),
        HEADER_POSITION: str(notification.id),
        HEADER_SEAL: key.seal(notification.id, msg_id, body),
    }
    return Outgoing(notification.id, event_subject(fact["unit"], fact["type"]), body, headers)


@dataclass(frozen=True)
class Difference:
    """How message ``sequence`` of EVENTS differs from the store, in zh and en."""

    sequence: int
    kind: str
    """``missing``, ``altered`` or ``extra``."""
    zh: str
    en: str


def compare(expected: Outgoing | None, sequence: int, body: bytes | None,
            headers: dict[str, str] | None) -> Difference | None:
    """None when EVENTS holds at ``sequence`` exactly what the store says it must."""
    if expected is None:
        return Difference(sequence, "extra", "事件库中没有这一条", "the event store has no such "
                          "event")
    if body is None:
        return Difference(sequence, "missing", "EVENTS 中缺失", "missing from EVENTS")
    found_id = (headers or {}).get(HEADER_MSG_ID)
    if found_id != expected.msg_id:
        return Difference(sequence, "altered", f"消息 ID 为 {found_id}，事件库为 {expected.msg_id}",
                          f"message id {found_id}, the store's is {expected.msg_id}")
    if body != expected.body or (headers or {}).get(HEADER_SEAL) != expected.headers[HEADER_SEAL]:
        return Difference(sequence, "altered", "内容与事件库不同", "content differs from the store")
    return None
