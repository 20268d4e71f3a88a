"""Upcasting: an event recorded under an older version reads as the current version.

The store and the EVENTS stream keep each event's JSON as it was recorded, forever. When an
event type gains a version, its model registers one upcaster per older version (a pure function
from the old JSON object to the next version's), and every validation of that model runs them
first, in order. An upcaster may also rename the event (when two families of facts became
one): it then gives the new type and that type's version. So projections, the aggregates and
an auditor's script all read old and new events alike, and the recorded bytes are never
rewritten.
"""

from __future__ import annotations

from collections.abc import Callable

JsonObject = dict[str, object]
Upcaster = Callable[[JsonObject], JsonObject]

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register ``step`` as turning ``event_type`` at ``from_version`` into the next version."""
    def register(step: Upcaster) -> Upcaster:
        _UPCASTERS[event_type, from_version] = step
        return step
    return register


def upcast(data: object) -> object:
    """The event as its current version, when ``data`` is an older version's JSON object."""
    if not isinstance(data, dict):
        return data
    event: JsonObject = data
    version = event.get("version", 1)
    while isinstance(version, int) and (step := _UPCASTERS.get((str(event.get("type")),
                                                                 version))) is not None:
        stepped = step(dict(event))
        if stepped.get("type") == event.get("type"):
            stepped["version"] = version + 1
        event = stepped
        version = event.get("version", 1)
    return event
