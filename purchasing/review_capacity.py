"""A person can take so many decisions a night: the flags with most money at stake hold,
the rest are passed on as information.

Without a cap, a busy night puts hundreds of lines in front of one buyer, who then
approves them unread or not at all (and the ordinary orders wait). With it, each
approver gets at most `FlagRules.review_capacity` decisions, the ones where a mistake
costs most; the lines beyond it go to the ERP tonight carrying their flags, listed for
the buyer as "worth a look", and the run summary says how many and how much.
"""

from __future__ import annotations

import pandas as pd

from purchasing.params import FlagRules

_LINE = ["po_key", "sku", "location"]


def apply_review_capacity(
    flags: pd.DataFrame, approvers: pd.Series, rules: FlagRules
) -> pd.DataFrame:
    """`flags` with `holds` (this flag holds its order tonight) and `passed_on` (it would
    have held, but its approver's capacity was spent on larger stakes) columns.

    `approvers` maps po_key to the approver routing chose. One decision is one held
    line (however many flags it has) or one order held by an order-level flag; the
    lines of an order held whole take no extra capacity (the order is decided once).
    Order-level flags always hold and use capacity first; lines are then ranked per
    approver by their largest money at stake in the base currency (ties by po_key,
    sku, location, so the cut is reproducible).
    """
    flags = flags.copy()
    by_rule = rules.holds_by_rule(flags).to_numpy(dtype=bool)
    flags["holds"] = by_rule
    flags["passed_on"] = False
    if flags.empty or rules.review_capacity <= 0:
        return flags
    stake_column = "money_at_stake_base" if "money_at_stake_base" in flags else "money_at_stake"
    approver = flags["po_key"].map(approvers).fillna("").astype(str)
    is_line = flags["sku"].notna().to_numpy()
    order_level = by_rule & ~is_line
    whole = set(flags.loc[order_level, "po_key"])
    # One decision per order held whole, however many order-level flags it has.
    held_orders = flags.loc[order_level, "po_key"].drop_duplicates()
    used_per_approver = approver.loc[held_orders.index].value_counts()

    candidates = by_rule & is_line & ~flags["po_key"].isin(whole).to_numpy()
    units = (
        flags.loc[candidates, _LINE]
        .assign(stake=flags.loc[candidates, stake_column].astype(float), approver=approver)
        .groupby(_LINE, sort=False)
        .agg(stake=("stake", "max"), approver=("approver", "first"))
        .reset_index()
        .sort_values(["stake", *_LINE], ascending=[False, True, True, True], kind="stable")
    )
    rank = units.groupby("approver").cumcount().to_numpy()
    taken = units["approver"].map(used_per_approver).fillna(0).to_numpy(dtype=int)
    units["keep"] = rank + taken < rules.review_capacity
    keep = flags[_LINE].merge(units[[*_LINE, "keep"]], on=_LINE, how="left")["keep"]
    passed = candidates & keep.eq(False).to_numpy()
    flags["holds"] = by_rule & ~passed
    flags["passed_on"] = passed
    return flags


def review_load(flags: pd.DataFrame, approvers: pd.Series) -> dict[str, int]:
    """Decisions held per approver tonight (held lines + orders held whole), largest first."""
    if flags.empty or "holds" not in flags:
        return {}
    held = flags.loc[flags["holds"].astype(bool)]
    is_line = held["sku"].notna()
    whole = set(held.loc[~is_line, "po_key"])
    lines = held.loc[is_line & ~held["po_key"].isin(whole), _LINE].drop_duplicates()
    orders = held.loc[~is_line, ["po_key"]].drop_duplicates()
    # A split line carries its review order's key; its approver is the whole order's.
    keys = pd.concat([lines["po_key"], orders["po_key"]]).astype(str)
    who = keys.map(approvers).fillna(keys.str.removesuffix("-R").map(approvers)).fillna("")
    return {str(name): int(n) for name, n in who.value_counts().items()}


def passed_on_totals(flags: pd.DataFrame, base: str) -> dict[str, object]:
    """How many lines were passed on for capacity, and their money at stake per currency."""
    if flags.empty or "passed_on" not in flags:
        return {"lines": 0, "flags": 0, "money_at_stake": {}}
    passed = flags.loc[flags["passed_on"].astype(bool)]
    if "currency" not in passed:
        passed = passed.assign(currency=base)
    per_line = passed.groupby(_LINE, sort=False).agg(
        stake=("money_at_stake", "max"), currency=("currency", "first")
    )
    money = per_line.groupby("currency")["stake"].sum()
    return {
        "lines": len(per_line),
        "flags": len(passed),
        "money_at_stake": {str(c): round(float(v), 2) for c, v in money.sort_index().items()},
    }
