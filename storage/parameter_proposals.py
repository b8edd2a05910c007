"""Parameter proposals learnt from buyers: stored, listed, decided once, audited.

The decision and its audit record are written in the caller's unit of work, so they
commit together or not at all (the same rule as an order's transition).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.actors import Actor
from storage.audit_log import append_audit
from storage.models import ParameterProposal


class ProposalRepository:
    """`uow.proposals`: the parameter proposals and their decisions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, proposal: ParameterProposal, actor: Actor) -> ParameterProposal:
        self.session.add(proposal)
        self.session.flush()
        self._audit(proposal, "propose", None, proposal.status, actor, proposal.reason, None)
        return proposal

    def get(self, proposal_id: int) -> ParameterProposal | None:
        return self.session.get(ParameterProposal, proposal_id)

    def listed(self, statuses: tuple[str, ...] = ()) -> list[ParameterProposal]:
        query = select(ParameterProposal).order_by(ParameterProposal.id)
        if statuses:
            query = query.where(ParameterProposal.status.in_(statuses))
        return list(self.session.scalars(query))

    def decide(
        self, proposal_id: int, to_state: str, actor: Actor, at: datetime, reason: str
    ) -> bool:
        """Move a `proposed` proposal to `to_state` once: False when someone decided first
        (a conditional update, like an order's transition)."""
        moved = self.session.execute(
            update(ParameterProposal)
            .where(ParameterProposal.id == proposal_id, ParameterProposal.status == "proposed")
            .values(status=to_state, decided_by=actor.name, decided_at=at)
            .execution_options(synchronize_session=False)
        )
        if getattr(moved, "rowcount", 0) != 1:
            return False
        proposal = self.session.get(ParameterProposal, proposal_id)
        assert proposal is not None
        self.session.refresh(proposal)
        details = {"parameter": proposal.parameter, "value": proposal.proposed_value}
        self._audit(proposal, to_state.removesuffix("ed"), "proposed", to_state, actor, reason,
                    details)  # fmt: skip
        return True

    def _audit(
        self,
        proposal: ParameterProposal,
        action: str,
        from_state: str | None,
        to_state: str | None,
        actor: Actor,
        reason: str,
        details: Mapping[str, Any] | None,
    ) -> None:
        append_audit(self.session, entity="parameter_proposal", entity_key=str(proposal.id),
                     action=action, actor=actor, reason=reason, from_state=from_state,
                     to_state=to_state, details=details)  # fmt: skip
