"""What the plan, flag and propose stages of a nightly run hand on: values, no behaviour.

They live in the domain, not in `flows/`, so the run summary (`services.run_summary`)
and the services can read them without importing the Prefect flows that make them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: Per po_key, what routing decided (`approvals.routing.route_orders`).
ROUTING_COLUMNS = [
    "approver",
    "second_approver",
    "deputy",
    "required_approvals",
    "tier",
    "deadline_hours",
]


@dataclass(frozen=True)
class Plan:
    """Tonight's order lines and the purchase orders grouping them (docs/frames.md)."""

    lines: pd.DataFrame
    orders: pd.DataFrame


@dataclass(frozen=True)
class Review:
    """The plan after the exception rules: flags, each order's decision and its routing."""

    plan: Plan
    flags: pd.DataFrame
    decisions: pd.Series
    approvers: pd.Series
    # Per po_key: approver, second_approver, deputy, required_approvals, tier, deadline_hours.
    routing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ROUTING_COLUMNS))
    # Per po_key: the rollout mode it is made in (`domain.rollout`; empty = all live).
    modes: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))

    def mode_of(self, po_key: str) -> str:
        """The rollout mode of one order (`live` when none was given)."""
        return str(self.modes.get(po_key, "live"))


@dataclass
class Proposed:
    """Which orders tonight stored, and which keys were already known (with their status)."""

    created: list[str] = field(default_factory=list)
    already_known: dict[str, str] = field(default_factory=dict)
    # Of those, the ones a person decided since: po_key -> the decision in a sentence.
    decided: dict[str, str] = field(default_factory=dict)
