"""Order-level review rules: an order waits when it is unusual for its supplier, not when
it is merely large.

A large supplier's routine order is large every week; holding it for its size alone puts
every order of a real catalogue in front of a person (and teaches people to approve
without reading). So an order is compared with the supplier's own recent placed orders at
that location: its value and its line count against their trailing medians. Without
enough history, the order's value is compared with what the forecast says the
supplier's items sell over their whole protection interval (lead time + review period)
at cost: no order-up-to policy needs to buy more than that in one go unless the stock
is gone or the numbers are wrong, so a big supplier's first order is neither held
forever for its size nor waved through unchecked. Absolute money limits are delegation
of authority: they decide who approves (`approvals.routing`), and only hold a first
order when `large_order_value` is on.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field

from flags.codes import FlagCode
from flags.rule import FlagRule, RuleSettings, Switches
from flags.rules.base import line_flags, money, qty, threshold

# This module's reason codes: the persisted strings its checks write.
LARGE_ORDER_VALUE = FlagCode("LARGE_ORDER_VALUE")
UNUSUAL_ORDER = FlagCode("UNUSUAL_ORDER")


class Settings(RuleSettings):
    """The switches and thresholds of the order-level rules (`[flags]` keys)."""

    unusual_order: Annotated[bool, Switches(UNUSUAL_ORDER)] = Field(
        default=True,
        description="Hold an order that departs from its supplier's own recent orders at "
        "that location (value or line count), not one that is merely large: a big "
        "supplier's routine order is big every week. Without enough history the value is "
        "compared with one review period's forecast demand of the supplier's items at cost.",
    )
    unusual_order_ratio: float = Field(
        default=1.75,
        gt=1.0,
        description="An order is unusual when its value (or line count) is strictly more "
        "than this many times the trailing median of its supplier's placed orders (or the "
        "forecast's protection interval of spend, when there is no history).",
    )
    unusual_order_min_extra_lines: float = Field(
        default=5.0,
        ge=0.0,
        description="A line count only counts as unusual when it is at least this many "
        "lines above the usual: 2 lines where 1 is usual is not worth a person's time.",
    )
    # Shared with LARGE_ORDER_VALUE: what a supplier-location's order history is.
    order_history_orders: int = Field(
        default=8,
        ge=1,
        description="How many of a supplier-location's most recent placed orders make its "
        "usual order (medians of value and line count).",
    )
    order_history_min_orders: int = Field(
        default=3,
        ge=1,
        description="Fewer placed orders than this are no history: the forecast's "
        "protection interval of spend is the yardstick instead.",
    )
    large_order_value: Annotated[bool, Switches(LARGE_ORDER_VALUE)] = Field(
        default=False,
        description="Off by default. On: an order above order_value_limit is also held "
        "while its supplier-location has no order history (fewer than "
        "order_history_min_orders placed orders), for a business that wants a person on "
        "every big first order. Absolute limits otherwise decide who approves "
        "([approvals] tiers and authority limits), never whether an ordinary order waits.",
    )
    order_value_limit: float = Field(
        default=10000.0,
        ge=0.0,
        description="The first-order limit of large_order_value (in the base currency).",
    )


ORDER_HISTORY_COLUMNS = ["supplier_id", "location", "currency", "order_date", "value", "line_count"]
_ORDER_KEYS = ["supplier_id", "location"]


def empty_order_history() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ORDER_HISTORY_COLUMNS})


def usual_orders(orders: pd.DataFrame, history: pd.DataFrame, rules: Settings) -> pd.DataFrame:
    """Per order (aligned with `orders`): the trailing medians of its supplier-location's
    last `order_history_orders` placed orders in the same currency, and how many there were.

    `orders_seen` < `order_history_min_orders` means "no usable history" (medians NaN).
    """
    same = history.loc[:, ORDER_HISTORY_COLUMNS].copy()
    same["currency"] = same["currency"].astype(str)
    recent = (
        same.sort_values("order_date", ascending=False, kind="stable")
        .groupby([*_ORDER_KEYS, "currency"], sort=False)
        .head(rules.order_history_orders)
    )
    stats = (
        recent.astype({"value": float, "line_count": float})
        .groupby([*_ORDER_KEYS, "currency"])
        .agg(
            usual_value=("value", "median"),
            usual_lines=("line_count", "median"),
            orders_seen=("value", "size"),
        )
        .reset_index()
    )
    keyed = orders[[*_ORDER_KEYS, "currency"]].astype({"currency": str})
    joined = keyed.merge(stats, on=[*_ORDER_KEYS, "currency"], how="left")
    joined.index = orders.index
    joined["orders_seen"] = joined["orders_seen"].fillna(0).astype(int)
    thin = joined["orders_seen"] < rules.order_history_min_orders
    joined.loc[thin, ["usual_value", "usual_lines"]] = np.nan
    return joined[["usual_value", "usual_lines", "orders_seen"]]


def expected_order_value(orders: pd.DataFrame, lines: pd.DataFrame) -> pd.Series:
    """Per order: the cost of the expected demand over the protection interval of every
    active item of its supplier at its location (ordered tonight or not); NaN without
    forecast columns.

    A steady state orders back one review period's sales; a first order on an empty
    shelf at most the whole interval's. More than that (times the ratio) is implausible
    without history to say it is usual.
    """
    needed = {"demand_mean", "unit_cost"}
    if not needed <= set(lines.columns) or orders.empty:
        return pd.Series(np.nan, index=orders.index)
    spend = (lines["demand_mean"] * lines["unit_cost"]).fillna(0.0)
    per_pair = spend.groupby([lines["supplier_id"], lines["location"]]).sum()
    pairs = pd.MultiIndex.from_frame(orders[_ORDER_KEYS])
    return pd.Series(per_pair.reindex(pairs).to_numpy(dtype=float), index=orders.index)


def unusual_order(
    orders: pd.DataFrame, lines: pd.DataFrame, history: pd.DataFrame, rules: Settings
) -> pd.DataFrame:
    """Orders worth, or with lines numbering, more than `unusual_order_ratio` times their
    supplier's usual (without history: worth more than the ratio times the forecast's
    protection interval of spend); one order-level flag each (sku and location None).

    Money at stake: what the order spends above the usual (for a line-count hit, the
    value of the lines above the usual count), so the biggest departures rank first. A
    departure worth less than `review_min_money_at_stake` is not worth a person's time
    and does not fire; nor does a line count fewer than `unusual_order_min_extra_lines`
    above the usual (a small supplier going from 2 lines to 5 is not unusual).
    """
    usual = usual_orders(orders, history, rules)
    forecast = expected_order_value(orders, lines)
    from_history = usual["usual_value"].notna()
    basis_value = usual["usual_value"].where(from_history, forecast)
    whole = orders.drop(columns="category", errors="ignore")
    ratio = threshold(whole, rules, "unusual_order_ratio")
    value = orders["value"].astype(float)
    count = orders["line_count"].astype(float)
    by_value = (basis_value > 0) & (value > ratio * basis_value)
    extra_lines = count - usual["usual_lines"]
    by_lines = (
        from_history
        & (count > ratio * usual["usual_lines"])
        & (extra_lines >= rules.unusual_order_min_extra_lines)
    )
    at_stake = np.maximum(
        (value - basis_value).where(by_value, 0.0),
        (value * extra_lines / count.where(count > 0)).where(by_lines, 0.0),
    )
    minimum = threshold(orders, rules, "review_min_money_at_stake")
    fires = (by_value | by_lines) & (at_stake >= minimum)
    hit = orders.loc[fires].assign(sku=None, location=None)
    message = _message(hit, usual.loc[fires], basis_value.loc[fires], by_lines.loc[fires])
    return line_flags(hit, UNUSUAL_ORDER, message, at_stake.loc[fires])


def _message(
    hit: pd.DataFrame, usual: pd.DataFrame, basis: pd.Series, by_lines: pd.Series
) -> pd.Series:
    """The sentence a buyer reads: the order against the basis it was judged by."""
    times = (hit["value"].astype(float) / basis.where(basis > 0)).fillna(0.0).map("{:.1f}".format)
    history_text = (
        "Order value " + money(hit["currency"], hit["value"]) + " over "
        + hit["line_count"].astype(int).astype(str) + " lines is " + times
        + " times this supplier's usual order here (median " + money(hit["currency"], basis)
        + " and " + qty(usual["usual_lines"].fillna(0)) + " lines over its last "
        + usual["orders_seen"].astype(str) + " placed orders)."
    )  # fmt: skip
    forecast_text = (
        "Order value " + money(hit["currency"], hit["value"]) + " over "
        + hit["line_count"].astype(int).astype(str) + " lines is " + times
        + " times what this supplier's items are forecast to sell over their lead time and "
        "review period (" + money(hit["currency"], basis.fillna(0)) + "); there is no order "
        "history yet to compare with."
    )  # fmt: skip
    text = pd.Series(
        np.where(usual["usual_value"].notna(), history_text, forecast_text), index=hit.index
    )
    lines_note = pd.Series(" Its line count is unusual for this supplier.", index=hit.index)
    return text + lines_note.where(by_lines, "")


def large_first_order(orders: pd.DataFrame, history: pd.DataFrame, rules: Settings) -> pd.DataFrame:
    """Orders above the absolute `order_value_limit` of a supplier-location with no usable
    history (fewer than `order_history_min_orders` placed orders): opt-in
    (`large_order_value`), for a business that wants a person on every big first order.
    Once orders have been placed, the unusual-order rule judges them instead."""
    usual = usual_orders(orders, history, rules)
    limit = threshold(orders.drop(columns="category", errors="ignore"), rules, "order_value_limit")
    big = orders.loc[(orders["value"] > limit) & usual["usual_value"].isna()]
    message = (
        "Order value " + money(big["currency"], big["value"]) + " over "
        + big["line_count"].astype(str) + " lines is above the limit of "
        + money(big["currency"], limit.loc[big.index])
        + " for a supplier with no order history here yet."
    )  # fmt: skip
    order_level = big.assign(sku=None, location=None)
    return line_flags(order_level, LARGE_ORDER_VALUE, message, big["value"])


# This module's rules, gathered by `flags.registry`.
RULES: tuple[FlagRule[Settings], ...] = (
    FlagRule(UNUSUAL_ORDER, "medium",
             lambda i: unusual_order(i.orders, i.lines, i.order_history, i.rules),
             thresholds=("unusual_order_ratio", "unusual_order_min_extra_lines",
                         "order_history_orders", "order_history_min_orders")),
    FlagRule(LARGE_ORDER_VALUE, "medium",
             lambda i: large_first_order(i.orders, i.order_history, i.rules),
             thresholds=("order_value_limit",)),
)  # fmt: skip
