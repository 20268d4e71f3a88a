"""The seam between the eventsourcing library and the published events.

The stored state of each event is exactly the event's JSON from ``events`` (a problem fact or a
unit fact), so the relay can publish the stored bytes as they are, and no second copy of the
contract exists.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent

from events.base import UnitEventBase
from events.recorded import parse_recorded, problem_of
from services.casework.problem import RecordedFact
from services.casework.unit import UnitFact


class FactMapper(Mapper[UUID]):
    """Maps a RecordedFact to a StoredEvent whose topic is the event type and state its JSON."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        if not isinstance(domain_event, RecordedFact | UnitFact):
            raise TypeError(f"only problem and unit facts are stored here, not {domain_event!r}")
        state = domain_event.fact.__pydantic_serializer__.to_json(domain_event.fact)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=domain_event.fact.type,
            state=self._seal(state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> RecordedFact | UnitFact:
        originator_id = stored_event.originator_id
        aggregate_id = originator_id if isinstance(originator_id, UUID) \
            else UUID(str(originator_id))
        fact = parse_recorded(self.unseal(stored_event.state))
        # An order or circular is kept with its target: a problem's, or the unit's.
        if isinstance(fact, UnitEventBase) or problem_of(fact) is None:
            version = stored_event.originator_version
            return UnitFact(aggregate_id, version, fact)  # type: ignore[arg-type]
        return RecordedFact(aggregate_id, stored_event.originator_version, fact)

    def _seal(self, state: bytes) -> bytes:
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return state

    def unseal(self, state: bytes) -> bytes:
        """The event JSON inside a stored state (decrypted and decompressed if configured)."""
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        return state
