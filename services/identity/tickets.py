"""Intake tickets: how casework knows who filed a staff report that reached it through INTAKE.

A report filed by staff (``rectify report``, ``hotline``, ``import``, a staff finding on the
JSON API) waits on INTAKE until casework takes it in, possibly after the filer's session ended.
So the filer's session is checked when the report is prepared (``auth.intake-ticket``), and the
message carries a ticket: the person's id and an HMAC, under a key only the service holds, of
that id with the report's channel and intake id. Casework files the report only as that person,
and only while they may still file on that unit; a message claiming another filer, or a staff
report without a valid ticket, is refused (REJECTED) and audited.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from events.seal import SealKey


@dataclass(frozen=True)
class IntakeTickets:
    key: bytes

    @classmethod
    def under(cls, seal: SealKey) -> IntakeTickets:
        """A key of its own derived from the service's seal key (kept 0600 in the data dir)."""
        return cls(hmac.new(seal.secret, b"rectify intake ticket", hashlib.sha256).digest())

    def issue(self, person_id: str, channel: str, intake_id: str) -> str:
        """The ticket for ``person_id`` filing ``intake_id`` on ``channel``."""
        return f"{person_id} {self._mac(person_id, channel, intake_id)}"

    def holder(self, ticket: str, channel: str, intake_id: str) -> str | None:
        """The person id the ticket vouches for on this report, or None if it does not."""
        person_id, _, mac = ticket.rpartition(" ")
        expected = self._mac(person_id, channel, intake_id)
        return person_id if person_id and hmac.compare_digest(mac, expected) else None

    def _mac(self, person_id: str, channel: str, intake_id: str) -> str:
        message = "\n".join((person_id, channel, intake_id)).encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()
