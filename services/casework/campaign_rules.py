"""The campaign's rules as casework applies them: limits on plans, the causes to choose from.

立行立改 means fixed now: while the campaign runs, an on-the-spot fix is due by the end of the
rectification phase (问题整改阶段), or, assigned during the summary phase, by the campaign's
end. A later date needs an approved extension (``DeadlineExtended``), not an immediate plan.
Outside the campaign there is no phase to keep to. A root cause is chosen from the campaign's
causes (the notice's usual ones, extended by the office in the campaign file); an empty list
accepts any. The supervision part sets them when ``rectify up`` starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CampaignRules:
    rectification_end: date | None = None
    campaign_end: date | None = None
    causes: tuple[str, ...] = ()

    def latest_immediate(self, today: date) -> date | None:
        """The latest deadline an on-the-spot fix assigned ``today`` may have; None: any."""
        if self.rectification_end is None or self.campaign_end is None:
            return None
        if today <= self.rectification_end:
            return self.rectification_end
        return self.campaign_end if today <= self.campaign_end else None
