"""Which unit a report concerns: the campaign's own units, whatever way a name is written.

A unit name is matched against the campaign's units with full-width and half-width forms and
spacing folded, so ``沁园 分局`` and ``沁园分局`` are one unit. A public report naming a unit the
campaign does not have goes to the public unit (for triage) with the name it gave kept in the
case text, so one anonymous sender cannot create look-alike units. Staff channels keep the
name as given (cleaned): staff may file for a unit the campaign file does not list yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from events.submission import IntakeSubmission
from events.text import fold_name


@dataclass
class UnitDirectory:
    """The campaign's units by folded name, and the unit that receives unplaced reports."""

    public_unit: str
    by_folded: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, units: Iterable[str], public_unit: str) -> UnitDirectory:
        names = [*units, public_unit]
        return cls(public_unit, {fold_name(name): name for name in names})

    def place(self, submission: IntakeSubmission) -> IntakeSubmission:
        """The submission with its unit as the campaign writes it (or the public unit)."""
        known = self.by_folded.get(fold_name(submission.unit))
        if known is not None:
            return submission if known == submission.unit else \
                submission.model_copy(update={"unit": known})
        if not submission.channel.is_public or not self.by_folded:
            return submission
        case = f"{submission.case}\n（举报所称单位：{submission.unit}）"
        return submission.model_copy(update={"unit": self.public_unit, "case": case})
