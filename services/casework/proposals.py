"""各单位制定整改方案: a unit's proposed four determinations, and how the office settles them.

The unit proposes what it filled in (possibly incomplete); the campaign office confirms it,
completing what is blank, or sends it back with a reason. Only the latest proposal is pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from events.lifecycle import Milestone, RectificationProposed
from events.vocabulary import Plan
from services.casework.errors import ProposalError, ProposalIncompleteError


@dataclass(frozen=True)
class Determinations:
    """The four determinations as finally confirmed."""

    leader: str
    department: str
    measures: str
    deadline: date
    immediate: bool
    milestones: tuple[Milestone, ...]


@dataclass(frozen=True)
class Completion:
    """What the office adds to (or puts in place of) the unit's proposal when confirming it."""

    leader: str | None = None
    department: str | None = None
    measures: str | None = None
    deadline: date | None = None
    milestones: tuple[Milestone, ...] = ()


@dataclass
class Proposals:
    pending: RectificationProposed | None = None
    pending_version: int | None = None

    def proposed(self, proposal: RectificationProposed, version: int) -> None:
        self.pending, self.pending_version = proposal, version

    def settled(self) -> None:
        self.pending = self.pending_version = None

    def check_new(self, proposal: dict[str, object]) -> None:
        """A proposal identical to the one pending records nothing new (a ledger re-imported)."""
        pending = self.pending
        if pending is not None and all(getattr(pending, k) == v for k, v in proposal.items()):
            raise ProposalError("相同的整改方案（四定）已经提出，正待确认",
                                "the same proposal is already pending")

    def check_pending(self) -> tuple[RectificationProposed, int]:
        if self.pending is None or self.pending_version is None:
            raise ProposalError("没有待确认的单位整改方案（四定）",
                                "there is no pending proposal from the unit")
        return self.pending, self.pending_version

    def confirmed(self, completion: Completion) -> Determinations:
        """The proposal completed by the office, or why it cannot be confirmed as it stands."""
        proposal, _ = self.check_pending()
        leader = completion.leader or proposal.leader
        department = completion.department or proposal.department
        measures = completion.measures or proposal.measures
        deadline = completion.deadline or proposal.deadline
        missing = [zh for value, zh in ((leader, "责任领导"), (department, "责任部门"),
                                        (measures, "整改措施"), (deadline, "整改时限"))
                   if not value]
        if missing or leader is None or department is None or measures is None \
                or deadline is None:
            written = f"（单位填写的时限：{proposal.deadline_as_written}）" \
                if proposal.deadline_as_written else ""
            raise ProposalIncompleteError(
                f"单位的整改方案缺少{'、'.join(missing)}{written}，确认时须补全",
                f"the unit's proposal lacks {len(missing)} of the four determinations; "
                "complete them when confirming")
        return Determinations(leader, department, measures, deadline,
                              proposal.plan is Plan.IMMEDIATE,
                              completion.milestones or proposal.milestones)
