"""督办建议: the orders the board proposes, each naming which of the notice's four triggers it is
(对查找问题不深入不具体，整治工作推进迟缓、敷衍塞责甚至拒不整改的，及时采取督办、通报等方式).

Proposed on: a red warning (past the deadline: 整治工作推进迟缓), a fix sent back twice or more
(敷衍塞责), a ledger or report filed late or not at all (整治工作推进迟缓), a shallow ledger (few
problems, no typical case, no cause recorded: 查找问题不深入不具体), a typical case nobody acted
on (整治工作推进迟缓). A target that already owes a response to an order is not proposed again.
Each proposal carries the reason text an order made from it says, so one step makes it one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from events.vocabulary import Filing, Trigger

SEND_BACKS = 2
"""退回整改 this many times or more: proposed for an order as 敷衍塞责."""
FEW_PROBLEMS = 3
"""A filed ledger with fewer problems than this, no typical case and no cause is shallow."""

CAUSES: dict[str, tuple[Trigger, str, str]] = {
    "red_warning": (Trigger.SLOW, "红色预警：已超过整改时限", "red warning: past the deadline"),
    "sent_back": (Trigger.PERFUNCTORY, "整改结果多次被退回", "fix sent back repeatedly"),
    "late_filing": (Trigger.SLOW, "逾期未报送", "filing overdue"),
    "shallow_ledger": (Trigger.SHALLOW, "自查台账问题少、无典型案例、未剖析原因",
                       "shallow ledger: few problems, no typical case, no cause"),
    "typical_stalled": (Trigger.SLOW, "典型案件长期无进展", "typical case stalled"),
}
"""Each cause of a proposal: the notice's trigger it is, and what it says (zh, en)."""


@dataclass(frozen=True)
class OrderProposal:
    """One proposed order: its cause, its target (a problem, or the unit as a whole: no
    ``problem_id``), the notice's trigger, and the reason an order made from it gives."""

    cause: str
    unit: str
    problem_id: str
    detail: str
    detail_en: str

    @property
    def key(self) -> str:
        """How a person names it to make it an order (``rectify order --proposal KEY``)."""
        return f"{self.cause}:{self.problem_id or self.unit}"

    @property
    def trigger(self) -> Trigger:
        return CAUSES[self.cause][0]

    @property
    def reason(self) -> str:
        return f"{CAUSES[self.cause][1]}：{self.detail}"

    @property
    def reason_en(self) -> str:
        return f"{CAUSES[self.cause][2]}: {self.detail_en}"


@dataclass(frozen=True)
class UnitLedgerDepth:
    """What a unit's ledger holds: how many problems, typical cases and recorded causes."""

    unit: str
    problems: int
    typical: int
    causes: int


def shallow(depth: UnitLedgerDepth) -> bool:
    return depth.problems < FEW_PROBLEMS and depth.typical == 0 and depth.causes == 0


def without_open_orders(proposals: Iterable[OrderProposal],
                        ordered: set[tuple[str, str]]) -> list[OrderProposal]:
    """The proposals whose target (unit, problem id or "") owes no response to an order yet,
    one per target and cause."""
    kept: dict[str, OrderProposal] = {}
    for proposal in proposals:
        if (proposal.unit, proposal.problem_id) not in ordered:
            kept.setdefault(proposal.key, proposal)
    return list(kept.values())


def filing_detail(filing: Filing, due: str) -> tuple[str, str]:
    return (f"{filing.label('zh')}应于 {due} 前报送", f"{filing.label('en')} was due by {due}")
