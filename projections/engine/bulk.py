"""Bulk work (批量重放): fewer garbage collections while a catch-up replays many events.

A replay makes a few objects per event (the decoded event, its ``Recorded``, rows) and holds a
batch of them at once. CPython's cyclic collector runs every 700 net allocations and keeps
walking what survives, although events and rows never form cycles: measured on 100,000 events,
a tenth of a rebuild's CPU went to it. While at least one catch-up runs, the youngest
generation is collected every ``BULK_THRESHOLD`` allocations instead; cycles (of the event
loop's futures, say) are still collected, only later.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 500_000
"""Net allocations between collections of the youngest generation during bulk work: about
three times what a rebuild's batch of 20,000 events holds at its peak (170,000 objects, the
rows kept from the batch before included), so that the batch is freed by reference counting
before the youngest generation fills. At 50,000 the collector still ran three times a batch
and walked what the batch held: 4.5 of the 55 µs that decoding and applying an event took."""

_lock = threading.Lock()
_running = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def bulk_work() -> Iterator[None]:
    """Collect garbage less often until the last of the overlapping bulk works ends."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            youngest, *older = _saved
            gc.set_threshold(max(youngest, BULK_THRESHOLD), *older)
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)
