"""Every read model by name: what ``rectify project NAME`` and ``rectify up`` run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from projections.engine.projector import Projector
from projections.models.extensions import ExtensionsProjector
from projections.models.ledger import LedgerProjector
from projections.models.mechanisms import MechanismsProjector
from projections.models.plans import PlansProjector
from projections.models.problems import ProblemsProjector
from projections.models.spot_checks import SpotChecksProjector
from projections.models.stages import StagesProjector
from projections.models.supervision import SupervisionProjector
from projections.models.timeline import TimelineProjector
from projections.models.trail import TrailProjector

PROJECTORS: dict[str, Callable[[], Projector]] = {
    "ledger": LedgerProjector,
    "problems": ProblemsProjector,
    "timeline": TimelineProjector,
    "trail": TrailProjector,
    "supervision": SupervisionProjector,
    "stages": StagesProjector,
    "mechanisms": MechanismsProjector,
    "plans": PlansProjector,
    "extensions": ExtensionsProjector,
    "spot_checks": SpotChecksProjector,
}


def projectors(names: Sequence[str] | None = None) -> list[Projector]:
    """Fresh projectors for ``names`` (all of them when None), in catalog order."""
    unknown = set(names or ()) - PROJECTORS.keys()
    if unknown:
        raise KeyError(f"no such projection: {', '.join(sorted(unknown))}")
    return [make() for name, make in PROJECTORS.items() if names is None or name in names]
