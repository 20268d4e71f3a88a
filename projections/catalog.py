"""Every read model by name: what ``rectify project NAME`` and ``rectify up`` run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from projections.ledger import LedgerProjector
from projections.mechanisms import MechanismsProjector
from projections.plans import PlansProjector
from projections.problems import ProblemsProjector
from projections.projector import Projector
from projections.stages import StagesProjector
from projections.supervision import SupervisionProjector
from projections.timeline import TimelineProjector
from projections.trail import TrailProjector

PROJECTORS: dict[str, Callable[[], Projector]] = {
    "ledger": LedgerProjector,
    "problems": ProblemsProjector,
    "timeline": TimelineProjector,
    "trail": TrailProjector,
    "supervision": SupervisionProjector,
    "stages": StagesProjector,
    "mechanisms": MechanismsProjector,
    "plans": PlansProjector,
}


def projectors(names: Sequence[str] | None = None) -> list[Projector]:
    """Fresh projectors for ``names`` (all of them when None), in catalog order."""
    unknown = set(names or ()) - PROJECTORS.keys()
    if unknown:
        raise KeyError(f"no such projection: {', '.join(sorted(unknown))}")
    return [make() for name, make in PROJECTORS.items() if names is None or name in names]
