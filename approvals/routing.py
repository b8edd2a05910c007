"""Who must look at a flagged order, how many people, and by when: pure rules over orders.

The outcome is stored on each order when it is proposed, so changing the config later
never re-routes an order that is already waiting.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from approvals.policy import RoutingPolicy
from domain.nightly import ROUTING_COLUMNS
from purchasing.currency import Currencies

# A review order `<po_key>-R` holds the flagged lines of `<po_key>`: both are one order
# for routing (see `flags.split`).
_REVIEW_SUFFIX = "-R"


def route_orders(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    policy: RoutingPolicy,
    currencies: Currencies | None = None,
) -> pd.DataFrame:
    """Per `po_key`: approver, second approver (two-approval tiers), deputy, tier, deadline.

    Money limits are delegation of authority: they decide who approves, never whether an
    order waits. The tier is the highest whose `above` the order's value exceeds; the
    approver comes from the most specific matching rule (supplier, main category,
    location, tier) whose authority (`up_to`) covers the order, else `by_supplier`, else
    `by_category`, else the default approver.

    The value judged is the whole supplier order's, in the base currency of `currencies`
    (an order in a currency without a rate raises MissingExchangeRate): a review order
    `<po_key>-R` split off for its flagged lines is routed with its `<po_key>` as one,
    so splitting an order can never bring it under someone's limit.
    """
    if orders.empty:
        return pd.DataFrame(columns=ROUTING_COLUMNS, index=pd.Index([], name="po_key"))
    currencies = currencies or Currencies()
    keyed = orders.set_index("po_key")
    family = pd.Series(keyed.index.astype(str), index=keyed.index).str.removesuffix(_REVIEW_SUFFIX)
    value = keyed["value"].astype(float).groupby(family.to_numpy()).transform("sum")
    if "currency" in keyed:
        value = currencies.to_base(value, keyed["currency"])
    category = family.map(_main_category(_as_family(lines)))
    tier = _tiers(value, policy)
    approver = _by_rules(keyed, category, tier, value, policy)
    approver = _first_of(
        approver,
        keyed["supplier_id"].map(dict(policy.by_supplier)),
        category.map(dict(policy.by_category)),
        pd.Series(policy.default_approver, index=keyed.index, dtype=object),
    )
    tiers = {t.name: t for t in policy.ordered_tiers()}
    required = tier.map(lambda name: tiers[name].approvals)
    deputy = _deputy(approver, policy.deputies)
    named_second = tier.map(lambda name: tiers[name].second_approver)
    # The second approver must be another person: the tier's, unless that is the
    # approver; then the approver's deputy; None lets any other person give it.
    second = named_second.where(named_second.notna() & (named_second != approver), deputy)
    second = second.where((required > 1) & (second != approver))
    return pd.DataFrame(
        {
            "approver": approver,
            "second_approver": second.astype(object).where(second.notna(), None),
            "deputy": deputy.astype(object).where(deputy.notna(), None),
            "required_approvals": required.astype(int),
            "tier": tier,
            "deadline_hours": tier.map(lambda name: tiers[name].hours).astype(int),
        },
        index=keyed.index,
    )


def assign_approvers(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    *,
    default_approver: str,
    by_supplier: Mapping[str, str],
    by_category: Mapping[str, str],
) -> pd.Series:
    """Approver per `po_key`: the supplier's, else the main category's, else the default."""
    policy = RoutingPolicy(
        default_approver=default_approver,
        by_supplier=dict(by_supplier),
        by_category=dict(by_category),
    )
    routed = route_orders(orders, lines, policy)
    return routed["approver"].astype(object).rename("approver")


def _tiers(value: pd.Series, policy: RoutingPolicy) -> pd.Series:
    tier = pd.Series(policy.ordered_tiers()[0].name, index=value.index, dtype=object)
    for level in policy.ordered_tiers()[1:]:  # lowest first, so the highest match wins
        tier = tier.mask(value > level.above, level.name)
    return tier


def _as_family(lines: pd.DataFrame) -> pd.DataFrame:
    if lines.empty or "po_key" not in lines:
        return lines
    return lines.assign(po_key=lines["po_key"].astype(str).str.removesuffix(_REVIEW_SUFFIX))


def _by_rules(
    keyed: pd.DataFrame,
    category: pd.Series,
    tier: pd.Series,
    value: pd.Series,
    policy: RoutingPolicy,
) -> pd.Series:
    """The approver of the most specific matching rule whose authority covers the order's
    value (ties: the first in the file)."""
    approver = pd.Series(None, index=keyed.index, dtype=object)
    best = pd.Series(-1, index=keyed.index)
    fields = {
        "supplier": keyed["supplier_id"],
        "category": category,
        "location": keyed["location"],
        "tier": tier,
    }
    for rule in policy.rules:
        match = pd.Series(True, index=keyed.index)
        for name, column in fields.items():
            wanted = getattr(rule, name)
            if wanted is not None:
                match &= column == wanted
        if rule.up_to is not None:
            match &= value <= rule.up_to
        better = match & (rule.specificity > best)
        approver = approver.mask(better, rule.approver)
        best = best.mask(better, rule.specificity)
    return approver


def _first_of(*candidates: pd.Series) -> pd.Series:
    """Per row, the first candidate that is set (object dtype kept, no silent downcast)."""
    chosen = candidates[0].astype(object)
    for candidate in candidates[1:]:
        chosen = chosen.where(chosen.notna(), candidate.astype(object))
    return chosen


def _deputy(approver: pd.Series, deputies: Mapping[str, str]) -> pd.Series:
    deputy = approver.map(dict(deputies))
    return deputy.where(deputy != approver)


def _main_category(lines: pd.DataFrame) -> pd.Series:
    """The category carrying most of an order's value: a mixed order goes to the person
    who owns most of the money on it."""
    if lines.empty or "category" not in lines:
        return pd.Series(dtype=object)
    value = lines.groupby(["po_key", "category"], sort=False)["line_value"].sum()
    top = value.sort_values(ascending=False).reset_index().drop_duplicates("po_key")
    return top.set_index("po_key")["category"]
