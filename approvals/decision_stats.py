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
