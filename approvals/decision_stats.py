"""How the approval process is doing, from the orders and verdicts of a period (pure).

- auto-approval rate: orders no rule held, over all orders proposed;
- time to decision: hours from proposal to a person's first verdict (median, p90);
- flags overturned: orders a rule held that a person then approved (the flag was not
  worth the wait), over those a person decided;
- quantities changed: lines of person-approved orders whose quantity the person changed.

A business that sees flags overturned most of the time should loosen that rule; one
where people change most quantities should look at the forecast or the policy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Channels of verdicts that are not a person's.
MACHINE_CHANNELS = frozenset({"nightly-run"})


def decision_metrics(orders: pd.DataFrame, lines: pd.DataFrame) -> dict[str, Any]:
    """`orders`: id, created_at, outcome, channel, decided_at (one row per verdict, or one
    with no verdict); `lines`: purchase_order_id, proposed_quantity, approved_quantity."""
    if orders.empty:
        return {
            "orders": 0,
            "auto_approval_rate": None,
            "decided_by_people": 0,
            "median_hours_to_decision": None,
            "p90_hours_to_decision": None,
            "flags_overturned_share": None,
            "quantities_changed_share": None,
        }
    total = orders["id"].nunique()
    auto = orders.loc[orders["outcome"] == "auto_approved", "id"].nunique()
    human = orders[orders["outcome"].notna() & ~orders["channel"].isin(MACHINE_CHANNELS)]
    first = human.sort_values("decided_at").drop_duplicates("id")
    hours = (
        pd.to_datetime(first["decided_at"], utc=True)
        - pd.to_datetime(first["created_at"], utc=True)
    ).dt.total_seconds() / 3600
    approved_ids = set(first.loc[first["outcome"] == "approved", "id"])
    decided = len(first)
    changed = _changed_share(lines[lines["purchase_order_id"].isin(approved_ids)])
    return {
        "orders": int(total),
        "auto_approval_rate": round(auto / total, 3),
        "decided_by_people": int(decided),
        "median_hours_to_decision": _round(hours.median()) if decided else None,
        "p90_hours_to_decision": _round(hours.quantile(0.9)) if decided else None,
        "flags_overturned_share": round(len(approved_ids) / decided, 3) if decided else None,
        "quantities_changed_share": changed,
    }


def _changed_share(lines: pd.DataFrame) -> float | None:
    if lines.empty:
        return None
    approved = lines["approved_quantity"].astype(float)
    proposed = lines["proposed_quantity"].astype(float)
    changed = approved.notna() & ~np.isclose(approved.fillna(proposed), proposed)
    return round(float(changed.mean()), 3)


def _round(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 1)


def judge_changes(changes: pd.DataFrame, actuals: pd.DataFrame) -> dict[str, Any]:
    """Did people's quantity changes do better than the proposal, once demand was known?

    `changes`: one row per line a person changed: origin (the period the order was
    planned from), sku, location, proposed, approved, demand_mean (the forecast demand
    over the protection interval) and protection_periods. `actuals`: sku, location,
    period, y. The quantity that would have been right is taken as the proposal moved by
    the forecast's error over the interval (ideal = proposed + realised - forecast); the
    person did better when their quantity is closer to it. Lines whose interval has not
    fully passed are not judged yet.
    """
    empty = {"changes_judged": 0, "people_closer_share": None}
    if changes.empty or actuals.empty:
        return empty
    span = np.ceil(changes["protection_periods"].astype(float)).astype(int)
    keyed = changes.assign(change=np.arange(len(changes)), span=span.to_numpy())
    window = keyed[["change", "sku", "location", "origin", "span"]].merge(
        actuals, on=["sku", "location"], how="inner"
    )
    window = window[
        (window["period"] >= window["origin"])
        & (window["period"] < window["origin"] + window["span"])
    ]
    realised = window.groupby("change").agg(n=("y", "size"), demand=("y", "sum"))
    judged = keyed.join(realised, on="change", how="inner")
    judged = judged[judged["n"] >= judged["span"]]
    if judged.empty:
        return empty
    proposed = judged["proposed"].astype(float)
    ideal = proposed + judged["demand"] - judged["demand_mean"].astype(float)
    closer = (judged["approved"].astype(float) - ideal).abs() < (proposed - ideal).abs()
    return {"changes_judged": len(judged), "people_closer_share": round(float(closer.mean()), 3)}
