"""Approval figures from orders and verdicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from approvals.decision_stats import decision_metrics

T0 = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)


def verdict(order: int, outcome: str | None, channel: str | None, hours: float | None) -> dict:
    decided = None if hours is None else T0 + timedelta(hours=hours)
    return {"id": order, "created_at": T0, "outcome": outcome, "channel": channel,
            "decided_at": decided}  # fmt: skip


def test_figures_of_a_small_month() -> None:
    orders = pd.DataFrame(
        [
            verdict(1, "auto_approved", "nightly-run", 0),
            verdict(2, "auto_approved", "nightly-run", 0),
            verdict(3, "approved", "review-page", 2),  # flag overturned, quantity changed
            verdict(4, "rejected", "cli", 10),  # flag confirmed
            verdict(5, None, None, None),  # still waiting
        ]
    )
    lines = pd.DataFrame(
        {
            "purchase_order_id": [3, 3, 4],
            "proposed_quantity": [10.0, 5.0, 8.0],
            "approved_quantity": [12.0, None, None],
        }
    )
    figures = decision_metrics(orders, lines)
    assert figures["orders"] == 5
    assert figures["auto_approval_rate"] == 0.4
    assert figures["decided_by_people"] == 2
    assert figures["median_hours_to_decision"] == 6.0
    assert figures["flags_overturned_share"] == 0.5
    assert figures["quantities_changed_share"] == 0.5  # one of the approved order's two lines


def test_no_orders_no_figures() -> None:
    empty = pd.DataFrame(columns=["id", "created_at", "outcome", "channel", "decided_at"])
    lines = pd.DataFrame(columns=["purchase_order_id", "proposed_quantity", "approved_quantity"])
    assert decision_metrics(empty, lines)["auto_approval_rate"] is None


def test_a_change_is_judged_against_the_demand_that_followed() -> None:
    from approvals.decision_stats import judge_changes

    changes = pd.DataFrame(
        {
            "origin": [100, 100, 120],
            "sku": ["A", "B", "C"],
            "location": ["DC", "DC", "DC"],
            "proposed": [50.0, 50.0, 50.0],
            "approved": [70.0, 70.0, 70.0],  # every person asked for 20 more
            "demand_mean": [40.0, 40.0, 40.0],
            "protection_periods": [4.0, 4.0, 4.0],
        }
    )
    days = range(95, 110)
    actuals = pd.concat(
        [
            pd.DataFrame({"sku": "A", "location": "DC", "period": days, "y": 15.0}),  # 60 sold
            pd.DataFrame({"sku": "B", "location": "DC", "period": days, "y": 8.0}),  # 32 sold
            pd.DataFrame({"sku": "C", "location": "DC", "period": days, "y": 10.0}),  # not yet
        ]
    )
    figures = judge_changes(changes, actuals)
    # A: ideal 70, the person was right; B: ideal 42, the proposal was closer; C: too early.
    assert figures == {"changes_judged": 2, "people_closer_share": 0.5}
