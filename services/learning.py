"""Learning from buyers, in the open (issue 23 point 3): proposals made from the value
report's scored changes, e-mailed to the administrators, in force only once an
administrator accepts one (CLI or the review server's page), audited with who and when.

The nightly run reads the accepted proposals at its start (`apply_accepted`); a proposal
that is only proposed, or was rejected, changes nothing. The product never changes a
parameter by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from email.message import EmailMessage

import pandas as pd

from approvals.notifications import OutgoingMail
from approvals.policy import RoutingPolicy
from contracts.value_report import ProposalView
from dataquality import ValidationResult
from domain.actors import Actor, utcnow
from purchasing.buyer_patterns import Candidate, Thresholds, apply_service_levels, find_candidates
from services.notifications import enqueue
from settings import Settings
from storage.models import ParameterProposal
from storage.unit_of_work import UnitOfWork

PRODUCT = Actor("replenish value report", "monitoring")


class ProposalRefused(Exception):
    """Why a proposal could not be decided: not an administrator, decided already, unknown."""


def learn_from_buyers(
    uow_factory: Callable[[], UnitOfWork], settings: Settings, lines: pd.DataFrame
) -> list[ProposalView]:
    """Store a proposal for each new candidate (none twice while one is open or accepted
    for the same scope and parameter) and queue one e-mail per administrator."""
    value = settings.value
    rules = Thresholds(value.learning_min_changes, value.learning_same_direction_share,
                       value.learning_helped_share, value.learning_service_level_step)  # fmt: skip
    candidates = find_candidates(lines, rules)
    with uow_factory() as uow:
        taken = {(p.scope, p.scope_key, p.parameter)
                 for p in uow.proposals.listed(("proposed", "accepted"))}  # fmt: skip
        new = [c for c in candidates if (c.scope, c.scope_key, c.parameter) not in taken]
        stored = [uow.proposals.add(_row(c), PRODUCT) for c in new]
        views = [view(p) for p in stored]
        mails = proposal_mails(settings, views)
        enqueue(uow, None, mails, utcnow())
        uow.commit()
    return views


def decide_proposal(
    uow_factory: Callable[[], UnitOfWork],
    policy: RoutingPolicy,
    proposal_id: int,
    *,
    accept: bool,
    actor: Actor,
    comment: str = "",
) -> ProposalView:
    """Accept or reject a proposal once, as an administrator; audited in the same
    transaction."""
    if not policy.is_administrator(actor.name):
        raise ProposalRefused(f"{actor.name} is not an administrator (approvals.administrators)")
    with uow_factory() as uow:
        proposal = uow.proposals.get(proposal_id)
        if proposal is None:
            raise ProposalRefused(f"there is no proposal {proposal_id}")
        state = "accepted" if accept else "rejected"
        if not uow.proposals.decide(proposal_id, state, actor, utcnow(), comment):
            raise ProposalRefused(
                f"proposal {proposal_id} was already {proposal.status} by {proposal.decided_by}"
            )
        uow.commit()
        return view(proposal)


def list_proposals(uow_factory: Callable[[], UnitOfWork]) -> list[ProposalView]:
    with uow_factory() as uow:
        return [view(p) for p in uow.proposals.listed()]


def apply_accepted(
    uow_factory: Callable[[], UnitOfWork], checked: ValidationResult, default_level: float
) -> ValidationResult:
    """The night's validated tables with the accepted service levels in force."""
    with uow_factory() as uow:
        accepted = [
            (p.scope, p.scope_key, p.proposed_value, p.direction)
            for p in uow.proposals.listed(("accepted",))
            if p.parameter == "service_level"
        ]
    if not accepted:
        return checked
    frame = pd.DataFrame(accepted, columns=["scope", "scope_key", "value", "direction"])
    items = apply_service_levels(checked.tables["items"], frame, default_level)
    return replace(checked, tables={**checked.tables, "items": items})


def proposal_mails(settings: Settings, proposals: Sequence[ProposalView]) -> list[OutgoingMail]:
    """One e-mail per administrator listing the new proposals and how to accept them."""
    if not proposals:
        return []
    body = [
        "The value report found buyers changing proposals the same way, and the demand",
        "that followed proved them right. Nothing changes until an administrator accepts:",
        "",
    ]
    for p in proposals:
        body += [f"#{p.id} {p.scope} {p.scope_key}: {p.parameter} {p.current_value} -> "
                 f"{p.proposed_value}", f"   {p.reason}",
                 f"   accept: replenish proposals accept {p.id} --as YOUR-ADDRESS", ""]  # fmt: skip
    first = min(p.id for p in proposals)
    mails = []
    for admin in settings.approvals.administrators:
        message = EmailMessage()
        message["From"] = settings.email.sender
        message["To"] = admin
        message["Subject"] = f"replenish: {len(proposals)} parameter change(s) proposed"
        message.set_content("\n".join(body))
        mails.append(OutgoingMail(f"parameter-proposals-{first}-{admin}", "parameter_proposal",
                                  admin, message))  # fmt: skip
    return mails


def view(p: ParameterProposal) -> ProposalView:
    return ProposalView(
        id=p.id, scope=p.scope, scope_key=p.scope_key, parameter=p.parameter,
        current_value=p.current_value, proposed_value=p.proposed_value, direction=p.direction,
        reason=p.reason,
        status=p.status, decided_by=p.decided_by,
        decided_at=p.decided_at.isoformat(timespec="minutes") if p.decided_at else None,
    )  # fmt: skip


def _row(c: Candidate) -> ParameterProposal:
    return ParameterProposal(
        scope=c.scope, scope_key=c.scope_key, parameter=c.parameter,
        current_value=c.current_value, proposed_value=c.proposed_value, direction=c.direction,
        reason=c.reason, evidence=dict(c.evidence), status="proposed", created_at=utcnow(),
    )  # fmt: skip
