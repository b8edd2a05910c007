"""Propose tonight's orders: store each new order with the state its decision gives it.

The rule, in one place: an order the exception rules left alone is auto-approved (and
that verdict is recorded like a person's); a flagged one waits for review, carrying its
routing (approver, deputy, tier) and its decision deadline, fixed now so a later change
of the configuration never moves a deadline an approver was already told. A key already
stored (a re-run of the same night) is left alone: an order is never proposed twice.
Each order keeps the rollout mode it was made in; a shadow order goes `proposed ->
shadow` and stays there (no decision, no approver, nothing sent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from domain.actors import Actor, utcnow
from domain.lifecycle import OrderStatus
from domain.nightly import Proposed, Review
from domain.rollout import RolloutMode
from services.decision_text import decision_view
from storage import records
from storage.unit_of_work import UnitOfWork

#: The verdict the rules record on an order nobody needs to see.
AUTO_APPROVAL_COMMENT = "no exception rule fired"


def propose_orders(
    uow_factory: Callable[[], UnitOfWork],
    run_id: str,
    review: Review,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> Proposed:
    """Store tonight's new orders with their lines, flags and decision, in one transaction."""
    now = now or utcnow()
    outcome = Proposed()
    planned = review.plan
    ordered = planned.lines[planned.lines["order_qty"] > 0]
    with uow_factory() as uow:
        outcome.already_known = uow.orders.statuses(planned.orders["po_key"])
        outcome.decided = _decided(uow, outcome.already_known)
        for proposal in records.proposals(planned.orders, ordered, review.flags):
            key = proposal.order["po_key"]
            if key in outcome.already_known:
                continue
            decision = OrderStatus(review.decisions[key])
            pending = decision is OrderStatus.PENDING_REVIEW
            routed = routed_order(review.routing.loc[key], now) if pending else {}
            mode = review.mode_of(key)
            uow.orders.add_proposal(run_id, {**proposal.order, **routed, "rollout_mode": mode},
                                    proposal.lines, proposal.flags, actor)  # fmt: skip
            reason = decision_reason(proposal.flags, mode)
            uow.orders.transition(key, decision, actor, reason=reason)
            if decision is OrderStatus.AUTO_APPROVED:
                uow.orders.record_decision(key, decision.value, actor, AUTO_APPROVAL_COMMENT)
            outcome.created.append(key)
        uow.commit()
    return outcome


def _decided(uow: UnitOfWork, known: Mapping[str, str]) -> dict[str, str]:
    """Already stored orders a person decided (not the rules): the last decision on each,
    as every surface says it (who, when, channel, quantities, comment)."""
    people = {OrderStatus.PENDING_REVIEW.value, OrderStatus.AUTO_APPROVED.value}
    decided: dict[str, str] = {}
    for key, status in known.items():
        po = uow.orders.get(key) if status not in people else None
        earlier = uow.orders.decisions_on(po.id) if po is not None else []
        mine = [d for d in earlier if d.outcome in ("approved", "rejected")]
        if po is not None and mine:
            decided[key] = decision_view(mine[-1], uow.orders.audit_trail(key)).sentence
    return decided


def decision_reason(flags: Sequence[Mapping[str, Any]], mode: str) -> str:
    """The first transition's reason: the flags, and the rollout mode when it decided."""
    reason = flag_reason(flags)
    if mode == RolloutMode.SHADOW:
        return f"rollout mode shadow: recorded only, sent to no ERP and no buyer ({reason})"
    if mode == RolloutMode.REVIEW_ALL:
        return f"rollout mode review-all: every order goes to a person ({reason})"
    return reason


def flag_reason(flags: Sequence[Mapping[str, Any]]) -> str:
    """The reason written on the order's first transition: its flag codes, sorted."""
    return ", ".join(sorted({str(f["code"]) for f in flags})) or "no flags"


def routed_order(routing: pd.Series, now: datetime) -> dict[str, object]:
    """What routing decided, kept on the order: the config may change while it waits."""
    return {
        "approver": routing["approver"],
        "second_approver": routing["second_approver"],
        "deputy": routing["deputy"],
        "required_approvals": int(routing["required_approvals"]),
        "routing_tier": routing["tier"],
        "decision_due_at": now + timedelta(hours=int(routing["deadline_hours"])),
    }
