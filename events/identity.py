"""Deterministic identities, so that a re-sent submission can never make a second problem."""

from __future__ import annotations

import hashlib
from datetime import date
from uuid import UUID, uuid5

from events.vocabulary import Channel

RECTIFY_NAMESPACE = UUID("6f1c2a9e-3d4b-5c7e-8f90-a1b2c3d4e5f6")
SENDER_TAG_LENGTH = 16
"""Hex digits of a sender tag (64 bits of a keyed hash of who sent a submission)."""


def intake_key(channel: Channel, intake_id: str) -> str:
    """``<channel>:<intake id>``: the ``Nats-Msg-Id`` of a submission."""
    return f"{channel.value}:{intake_id}"


def scoped_intake_id(sender_tag: str, native_id: str) -> str:
    """``<sender tag>/<native id>``: a client-chosen id de-duplicates only that sender's own
    resubmissions. The tag is a keyed hash of who sent it (the WeChat OpenID, the verified mail
    sender, the API client, the hotline operator), which nobody can choose for someone else; so
    the same id from two senders makes two problems, and nobody's id can reach another's report.
    """
    return f"{sender_tag}/{native_id}"


def staff_intake_id(actor: str, native_id: str) -> str:
    """A staff member's own id for a finding, scoped to them: another's finding filed with the
    same id is another problem. Not keyed: staff names are not reporters' personal data, and
    who may act as ``actor`` is the staff credentials' business."""
    tag = hashlib.sha256(f"staff:{actor}".encode()).hexdigest()[:SENDER_TAG_LENGTH]
    return scoped_intake_id(tag, native_id)


def native_intake_id(intake_id: str) -> str:
    """The channel's own id inside a scoped intake id (e.g. the mail's Message-ID); an id
    recorded before scoping is returned as it is."""
    tag, slash, native = intake_id.partition("/")
    if slash and len(tag) == SENDER_TAG_LENGTH and all(c in "0123456789abcdef" for c in tag):
        return native
    return intake_id


def problem_id_for(channel: Channel, intake_id: str) -> UUID:
    """The id of the problem that a submission becomes, the same however often it arrives."""
    return uuid5(RECTIFY_NAMESPACE, intake_key(channel, intake_id))


def event_id_for(problem_id: UUID, problem_version: int) -> UUID:
    """The id of a problem's n-th event: the ``Nats-Msg-Id`` of its publication."""
    return uuid5(problem_id, str(problem_version))


def unit_id_for(unit: str) -> UUID:
    """The id of a unit's own aggregate (its filings, orders, circulars, spot checks)."""
    return uuid5(RECTIFY_NAMESPACE, f"unit:{unit.strip()}")


def warning_id_for(aggregate_id: UUID, watched: str, due: date, level: str) -> UUID:
    """The id of one warning: what is watched (``deadline``, ``milestone:2``, ``order:1``,
    ``ledger`` …), its due date and the level. A restarted watchdog derives the same id, and the
    aggregate refuses a warning whose id it has already recorded."""
    return uuid5(aggregate_id, f"warning:{watched}:{due.isoformat()}:{level}")
