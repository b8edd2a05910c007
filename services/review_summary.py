"""The run summary's `review` section: who holds how many decisions tonight, what was
passed on for lack of review capacity, and the largest holds, ranked by money at stake.

Amounts stay per currency (`{"EUR": 1200.0, "USD": 80.0}`): adding unlike money would
make a total nobody can act on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from flags.capacity import passed_on_totals, review_load

if TYPE_CHECKING:
    from domain.nightly import Review
    from settings import Settings

TOP_HOLDS = 10


def review_section(review: Review | None, settings: Settings) -> dict[str, Any]:
    """The JSON `review` object (documented in README.md, "replenish run --json")."""
    capacity = settings.flags.review_capacity
    empty: dict[str, Any] = {
        "capacity_per_approver": capacity,
        "held_decisions": {},
        "held_lines": 0,
        "held_money_at_stake": {},
        "passed_on": {"lines": 0, "flags": 0, "money_at_stake": {}},
        "top_holds": [],
    }
    if review is None or review.flags.empty:
        return empty
    # A shadow order asks nobody anything: its flags are counted (`flags`), not waiting.
    flags = review.flags.loc[review.flags["po_key"].map(review.decisions).ne("shadow")]
    if flags.empty:
        return empty
    flags = flags.assign(rollout_mode=flags["po_key"].map(review.modes).fillna("live"))
    holds = settings.flags.holds(flags).to_numpy(dtype=bool)
    held = flags.loc[holds]
    per_line = held.loc[held["sku"].notna()].drop_duplicates(["po_key", "sku", "location"])
    return {
        "capacity_per_approver": capacity,
        "held_decisions": review_load(flags.assign(holds=holds), review.approvers),
        "held_lines": len(per_line),
        "held_money_at_stake": _per_currency(held, settings.currency.base),
        "passed_on": passed_on_totals(flags, settings.currency.base),
        "top_holds": _top(held),
    }


def _per_currency(held: pd.DataFrame, base: str) -> dict[str, float]:
    """Money at stake of the held decisions: the largest stake per held line, plus each
    order-level flag, per currency."""
    if held.empty:
        return {}
    currency = held["currency"] if "currency" in held else pd.Series(base, index=held.index)
    stakes = held.assign(currency=currency.fillna(base))
    per_line = (
        stakes.loc[stakes["sku"].notna()]
        .groupby(["po_key", "sku", "location"], sort=False)
        .agg(stake=("money_at_stake", "max"), currency=("currency", "first"))
    )
    orders = stakes.loc[stakes["sku"].isna(), ["money_at_stake", "currency"]].rename(
        columns={"money_at_stake": "stake"}
    )
    both = pd.concat([per_line.reset_index(drop=True), orders], ignore_index=True)
    summed = both.groupby("currency")["stake"].sum().sort_index()
    return {str(code): round(float(value), 2) for code, value in summed.items()}


def _top(held: pd.DataFrame) -> list[dict[str, Any]]:
    """The largest holds, ranked by money at stake in the base currency."""
    rank = "money_at_stake_base" if "money_at_stake_base" in held else "money_at_stake"
    top = held.sort_values(rank, ascending=False, kind="stable").head(TOP_HOLDS)
    return [
        {
            "po_key": str(row["po_key"]),
            "sku": None if pd.isna(row["sku"]) else str(row["sku"]),
            "location": None if pd.isna(row["location"]) else str(row["location"]),
            "code": str(row["code"]),
            "money_at_stake": round(float(row["money_at_stake"]), 2),
            "currency": str(row.get("currency") or ""),
            "message": str(row["message"]),
            "rollout_mode": str(row.get("rollout_mode") or "live"),
        }
        for row in top.to_dict("records")
    ]
