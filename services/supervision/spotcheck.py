"""重点抽查名单: units whose self-inspection found few or no problems, and units the public
complains of strongly (群众反映较为强烈), ranked, each with why.

Pure: it takes what each unit reported and returns the list. A unit's own findings are every
problem it found itself: self-inspection, enterprise visits, symposiums. First, units that
found nothing themselves although the public reported problems to them; then units that
reported nothing at all; then units that found fewer problems themselves than the public found;
then units with many public reports (at least ``strong_public``); then units far below their
peers (the median of all units' own findings).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median


@dataclass(frozen=True)
class UnitReports:
    """What was reported about one unit: found by itself (``self_inspection``: self-inspection,
    visits, symposiums), and by the public."""

    unit: str
    self_inspection: int = 0
    public: int = 0
    selected: bool = False


@dataclass(frozen=True)
class SpotCheckEntry:
    rank: int
    unit: str
    self_inspection: int
    public: int
    peer_median: float
    zh: str
    en: str
    selected: bool

    def reason(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def spot_check_list(reports: Iterable[UnitReports], units: Iterable[str],
                    low_share: float, strong_public: int = 3) -> list[SpotCheckEntry]:
    """The ranked list over every unit in ``units`` and every unit in ``reports``."""
    by_unit = {u: UnitReports(u) for u in units}
    by_unit.update({r.unit: r for r in reports})
    if not by_unit:
        return []
    peers = median(r.self_inspection for r in by_unit.values())
    found = [(tier, r) for r in by_unit.values()
             if (tier := _tier(r, peers, low_share, strong_public)) < _NOT_LISTED]
    found.sort(key=lambda t: (t[0], -t[1].public, t[1].self_inspection, t[1].unit))
    return [_entry(rank, tier, r, peers) for rank, (tier, r) in enumerate(found, start=1)]


_NOT_LISTED = 5


def _tier(r: UnitReports, peers: float, low_share: float, strong_public: int) -> int:
    if r.self_inspection == 0:
        return 0 if r.public > 0 else 1
    if r.self_inspection < r.public:
        return 2
    if r.public >= strong_public:
        return 3
    if r.self_inspection < low_share * peers:
        return 4
    return _NOT_LISTED


def _entry(rank: int, tier: int, r: UnitReports, peers: float) -> SpotCheckEntry:
    s, p, m = r.self_inspection, r.public, _number(peers)
    zh, en = {
        0: (f"自查问题零报告，但群众反映了 {p} 个问题",
            f"reported no problems itself, but the public reported {p}"),
        1: ("自查问题零报告，也没有群众反映", "reported no problems itself, and none came in "
                                           "from the public"),
        2: (f"自查只发现 {s} 个问题，少于群众反映的 {p} 个",
            f"found only {s} problems itself, fewer than the {p} the public reported"),
        3: (f"群众反映较为强烈：群众反映了 {p} 个问题",
            f"strong public complaints: the public reported {p} problems"),
        4: (f"自查只发现 {s} 个问题，明显少于同级单位（中位数 {m} 个）",
            f"found only {s} problems itself, well below its peers (median {m})"),
    }[tier]
    return SpotCheckEntry(rank, r.unit, s, p, peers, zh, en, r.selected)


def random_draw(units: Iterable[str], count: int, seed: int) -> list[str]:
    """随机抽查: ``count`` of ``units`` drawn with ``seed``; the same seed draws the same units
    from the same list, whatever order it is given in."""
    pool = sorted(set(units))
    return sorted(random.Random(seed).sample(pool, min(count, len(pool))))


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"
