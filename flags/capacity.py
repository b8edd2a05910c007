"""A person can take so many decisions a night: the flags with most money at stake hold,
the rest are passed on as information.

Without a cap, a busy night puts hundreds of lines in front of one buyer, who then
approves them unread or not at all (and the ordinary orders wait). With it, each
approver gets at most `FlagRules.review_capacity` decisions, the ones where a mistake
costs most; the lines beyond it go to the ERP tonight carrying their flags, listed for
the buyer as "worth a look", and the run summary says how many and how much.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from flags.params import ReviewSettings


_LINE = ["po_key", "sku", "location"]
ALWAYS_REVIEW = "ALWAYS_REVIEW"


def apply_review_capacity(
    flags: pd.DataFrame, approvers: pd.Series, rules: ReviewSettings
) -> pd.DataFrame:
    """`flags` with `holds` (this flag holds its order tonight) and `passed_on` (it would
    have held, but its approver's capacity went to larger stakes) columns.

    `approvers` maps po_key to the approver routing chose. One decision is one held line
    (however many flags it has), or one order held whole by an order-level flag, which
    takes its lines along: its stake is the largest of the order's and its lines', so
    whatever is passed on had less at stake than everything kept. Decisions are ranked
    per approver by money at stake in the base currency (ties by key, so the cut is
    reproducible); ALWAYS_REVIEW orders (the administrator asked to see every one) are
    never passed on and come first.
    """
    flags = flags.copy()
    by_rule = rules.holds_by_rule(flags).to_numpy(dtype=bool)
    flags["holds"] = by_rule
    flags["passed_on"] = False
    if flags.empty or rules.review_capacity <= 0:
        return flags
    stake_column = "money_at_stake_base" if "money_at_stake_base" in flags else "money_at_stake"
    is_line = flags["sku"].notna().to_numpy()
    whole = flags["po_key"].isin(set(flags.loc[by_rule & ~is_line, "po_key"])).to_numpy()
    # The decision each holding flag belongs to: its order when held whole, else its line.
    unit = flags["po_key"].astype(str)
    unit = unit.where(whole, unit + "\x1f" + flags["sku"].astype(str) + "\x1f"
                      + flags["location"].astype(str))  # fmt: skip
    pinned = (flags["code"].astype(str) == ALWAYS_REVIEW).to_numpy()
    units = (
        pd.DataFrame(
            {
                "unit": unit,
                "stake": flags[stake_column].astype(float),
                "pinned": pinned,
                "approver": flags["po_key"].map(approvers).fillna("").astype(str),
            }
        )
        .loc[by_rule]
        .groupby("unit", sort=False)
        .agg(stake=("stake", "max"), pinned=("pinned", "any"), approver=("approver", "first"))
        .reset_index()
        .sort_values(["pinned", "stake", "unit"], ascending=[False, False, True], kind="stable")
    )
    rank = units.groupby("approver").cumcount().to_numpy()
    kept = set(units.loc[units["pinned"].to_numpy() | (rank < rules.review_capacity), "unit"])
    passed = by_rule & ~unit.isin(kept).to_numpy()
    flags["holds"] = by_rule & ~passed
    flags["passed_on"] = passed
    return flags


def review_load(flags: pd.DataFrame, approvers: pd.Series) -> dict[str, int]:
    """Decisions held per approver tonight (held lines + orders held whole), largest first.

    A line held only because its order could not be split (`review_split`) is decided
    with that order's flagged lines, not on its own."""
    if flags.empty or "holds" not in flags:
        return {}
    held = flags.loc[flags["holds"].astype(bool)]
    if "held_with_order" in held:  # decided with the flagged lines of their order
        held = held.loc[~held["held_with_order"].eq(True)]
    is_line = held["sku"].notna()
    whole = set(held.loc[~is_line, "po_key"])
    lines = held.loc[is_line & ~held["po_key"].isin(whole), _LINE].drop_duplicates()
    orders = held.loc[~is_line, ["po_key"]].drop_duplicates()
    # A split line carries its review order's key; its approver is the whole order's.
    keys = pd.concat([lines["po_key"], orders["po_key"]]).astype(str)
    who = keys.map(approvers).fillna(keys.str.removesuffix("-R").map(approvers)).fillna("")
    return {str(name): int(n) for name, n in who.value_counts().items()}


def passed_on_totals(flags: pd.DataFrame, base: str) -> dict[str, object]:
    """What was passed on for capacity: lines and orders (an order-level flag), their
    flags, and the money at stake per currency (the largest stake per line or order)."""
    if flags.empty or "passed_on" not in flags:
        return {"lines": 0, "orders": 0, "flags": 0, "money_at_stake": {}}
    passed = flags.loc[flags["passed_on"].astype(bool)]
    if "currency" not in passed:
        passed = passed.assign(currency=base)
    is_line = passed["sku"].notna()
    per_line = (
        passed.loc[is_line]
        .groupby(_LINE, sort=False)
        .agg(stake=("money_at_stake", "max"), currency=("currency", "first"))
    )
    per_order = (
        passed.loc[~is_line]
        .groupby("po_key", sort=False)
        .agg(stake=("money_at_stake", "max"), currency=("currency", "first"))
    )
    both = pd.concat([per_line, per_order], ignore_index=True)
    money = both.groupby("currency")["stake"].sum() if len(both) else pd.Series(dtype=float)
    return {
        "lines": len(per_line),
        "orders": len(per_order),
        "flags": len(passed),
        "money_at_stake": {str(c): round(float(v), 2) for c, v in money.sort_index().items()},
    }
