"""The run summary's `review` section: who holds how many decisions tonight, what was
passed on for lack of review capacity, and the largest holds, ranked by money at stake.

Only orders that still wait count: an order a rerun finds already decided (approved,
rejected, submitted) is neither "waiting" nor a "largest hold". Money at stake is the
one definition of docs/flag-rules.md (`services.money_at_stake`): the value of the held
lines, i.e. the waiting order's value; each hold names its main holding reason.

Amounts stay per currency (`{"EUR": 1200.0, "USD": 80.0}`): adding unlike money would
make a total nobody can act on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from flags.capacity import passed_on_totals, review_load

if TYPE_CHECKING:
    from domain.nightly import Proposed, Review
    from settings import Settings

TOP_HOLDS = 10


def still_waiting(review: Review | None, proposed: Proposed | None) -> set[str]:
    """Tonight's orders that wait for a person, less those an earlier run of the same
    night stored and a person has decided since."""
    if review is None:
        return set()
    pending = {str(k) for k, v in review.decisions.items() if v == "pending_review"}
    known = proposed.already_known if proposed is not None else {}
    return {k for k in pending if known.get(k, "pending_review") == "pending_review"}


def review_section(
    review: Review | None, settings: Settings, proposed: Proposed | None = None
) -> dict[str, Any]:
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
    waiting = still_waiting(review, proposed)
    # A shadow order asks nobody anything: its flags are counted (`flags`), not waiting.
    flags = review.flags.loc[review.flags["po_key"].map(review.decisions).ne("shadow")]
    if flags.empty:
        return empty
    flags = flags.assign(rollout_mode=flags["po_key"].map(review.modes).fillna("live"))
    holds = settings.flags.holds(flags).to_numpy(dtype=bool)
    mine = flags["po_key"].astype(str).isin(waiting).to_numpy(dtype=bool)
    held = flags.loc[holds & mine]
    per_line = held.loc[held["sku"].notna()].drop_duplicates(["po_key", "sku", "location"])
    orders = review.plan.orders
    orders = orders.loc[orders["po_key"].astype(str).isin(waiting)]
    return {
        "capacity_per_approver": capacity,
        "held_decisions": review_load(flags.loc[mine].assign(holds=holds[mine]), review.approvers),
        "held_lines": len(per_line),
        "held_money_at_stake": _per_currency(orders, settings.currency.base),
        "passed_on": passed_on_totals(flags, settings.currency.base),
        "top_holds": _top(orders, held, settings),
    }


def _per_currency(orders: pd.DataFrame, base: str) -> dict[str, float]:
    """Money at stake of the waiting orders (their held lines' value), per currency."""
    if orders.empty:
        return {}
    currency = orders["currency"].fillna(base) if "currency" in orders else base
    summed = orders.assign(currency=currency).groupby("currency")["value"].sum().sort_index()
    return {str(code): round(float(value), 2) for code, value in summed.items()}


def _top(orders: pd.DataFrame, held: pd.DataFrame, settings: Settings) -> list[dict[str, Any]]:
    """The largest waiting orders by money at stake (in the base currency), each with the
    holding flag that questions most of it as its main reason."""
    if orders.empty:
        return []
    in_base = settings.currency.to_base(orders["value"], orders["currency"])
    ranked = orders.assign(_base=in_base.to_numpy()).sort_values(
        ["_base", "po_key"], ascending=[False, True], kind="stable"
    )
    main = held.sort_values("money_at_stake", ascending=False, kind="stable").drop_duplicates(
        "po_key"
    )
    reason = main.set_index("po_key")
    return [
        {
            "po_key": str(row["po_key"]),
            "sku": None,
            "location": str(row["location"]),
            "code": str(reason.at[row["po_key"], "code"]) if row["po_key"] in reason.index else "",
            "money_at_stake": round(float(row["value"]), 2),
            "currency": str(row.get("currency") or ""),
            "message": (
                str(reason.at[row["po_key"], "message"]) if row["po_key"] in reason.index else ""
            ),
            "rollout_mode": (
                str(reason.at[row["po_key"], "rollout_mode"])
                if row["po_key"] in reason.index and "rollout_mode" in reason
                else "live"
            ),
        }
        for row in ranked.head(TOP_HOLDS).to_dict("records")
    ]
