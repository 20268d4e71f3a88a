"""通报全体单位: a circular issued to every unit, as the office follows it up: which units have
read it, and which of the units named as responders still owe a response.

Read from the supervision read model's notices: the copies of one circular share its
``broadcast`` id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from events.vocabulary import Trigger
from projections.engine.store import ReadStore
from projections.models.supervision import NoticeLine, read_notices


@dataclass(frozen=True)
class BroadcastLine:
    """One circular to all units and where each unit stands with it."""

    broadcast: str
    reason: str
    triggers: tuple[Trigger, ...]
    issued_at: datetime
    issued_by: str
    due: date | None
    copies: tuple[NoticeLine, ...]

    @property
    def read(self) -> list[str]:
        """Units that marked it read (a response counts as reading it)."""
        return [c.unit for c in self.copies if c.read_at or c.responded_at]

    @property
    def unread(self) -> list[str]:
        return [c.unit for c in self.copies if not (c.read_at or c.responded_at)]

    @property
    def responders(self) -> list[str]:
        return [c.unit for c in self.copies if c.response_required]

    @property
    def owing(self) -> list[str]:
        """Named responders that have not responded yet."""
        return [c.unit for c in self.copies if c.owing]


def gather(notices: Iterable[NoticeLine]) -> list[BroadcastLine]:
    """The copies of each circular to all units gathered into one line, in the order issued."""
    copies: dict[str, list[NoticeLine]] = {}
    for notice in notices:
        if notice.broadcast:
            copies.setdefault(notice.broadcast, []).append(notice)
    return [BroadcastLine(broadcast, first.reason, first.triggers, first.issued_at,
                          first.issued_by, next((c.due for c in lines if c.due), None),
                          tuple(lines))
            for broadcast, lines in copies.items() for first in lines[:1]]


def read_broadcasts(store: ReadStore) -> list[BroadcastLine]:
    """Every circular to all units, with who has read it and who owes a response."""
    return gather(read_notices(store))
