"""Review flags: the reasons a purchase order goes to a buyer instead of straight to the ERP.

Each rule is a vectorised function over the ordered lines (or the orders) returning rows
of the flags frame; `flag_orders` runs the switched-on rules and ranks the result by the
money at stake, so a buyer with little time starts where a mistake costs most.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from purchasing.currency import Currencies
from purchasing.params import FlagRules
from purchasing.position import KEYS
from purchasing.review_rules_base import FLAG_COLUMNS, SEVERITY, FlagCode, threshold
from purchasing.review_rules_base import line_flags as _line_flags
from purchasing.review_rules_base import money as _money
from purchasing.review_rules_base import order_text as _order_text
from purchasing.review_rules_base import qty as _qty
from purchasing.review_rules_demand import below_min_order_value, demand_anomaly
from purchasing.review_rules_forecast import (
    dormant_item,
    duplicate_risk,
    excess_cover,
    implausible_forecast,
    low_confidence,
)
from purchasing.review_rules_history import (
    always_review,
    empty_history,
    price_change,
    quantity_vs_history,
)
from purchasing.review_rules_orders import empty_order_history, large_first_order, unusual_order

__all__ = [
    "AUTO_APPROVED",
    "FLAG_COLUMNS",
    "FLAG_EXTRA_COLUMNS",
    "PENDING_REVIEW",
    "SEVERITY",
    "FlagCode",
    "flag_orders",
    "order_decisions",
]

PENDING_REVIEW = "pending_review"
AUTO_APPROVED = "auto_approved"
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
# Added by `flag_orders` after the contract columns: the order's currency and the money
# at stake in the base currency, which ranks flags across currencies.
FLAG_EXTRA_COLUMNS = ["currency", "money_at_stake_base"]


def large_line_value(lines: pd.DataFrame, rules: FlagRules) -> pd.DataFrame:
    """Lines worth strictly more than the line limit (after supplier/category overrides)."""
    limit = threshold(lines, rules, "line_value_limit")
    hit = lines.loc[lines["line_value"] > limit]
    message = (
        "Line value " + _money(hit["currency"], hit["line_value"])
        + " is above the review limit of " + _money(hit["currency"], limit.loc[hit.index]) + "."
    )  # fmt: skip
    return _line_flags(hit, FlagCode.LARGE_LINE_VALUE, message, hit["line_value"])


def new_item(lines: pd.DataFrame, forecast_summary: pd.DataFrame) -> pd.DataFrame:
    """Lines of items the forecast calls new: the quantity rests on little or no history."""
    columns = [c for c in [*KEYS, "demand_class", "history_periods"] if c in forecast_summary]
    joined = lines.merge(forecast_summary[columns], on=KEYS, how="left")
    joined.index = lines.index
    hit = joined.loc[joined["demand_class"] == "new"]
    history = hit.get("history_periods", pd.Series(np.nan, index=hit.index))
    history_text = pd.Series(
        np.where(
            history.notna(),
            "only " + history.fillna(0).astype(int).astype(str) + " periods of sales history",
            "little sales history",
        ),
        index=hit.index,
    )
    message = (
        "New item with " + history_text + ": the forecast behind " + _order_text(hit)
        + " is closer to a guess than a forecast; please check the quantity."
    )  # fmt: skip
    return _line_flags(hit, FlagCode.NEW_ITEM, message, hit["line_value"])


def data_quality(
    lines: pd.DataFrame, quarantined_items: pd.DataFrame, recent_days: float = 28.0
) -> pd.DataFrame:
    """Lines whose item-location had input rows quarantined; the message names the reasons.

    A quarantined row with no location (it could not be read) taints every location of
    its sku: we cannot tell which one it belonged to. Items whose only quarantined rows
    are demand older than `recent_days` before the order date are left alone
    (`newest_demand_date`, see `dataquality.dispositions.quarantined_items`).
    """
    if "newest_demand_date" in quarantined_items and len(lines):
        newest = pd.to_datetime(quarantined_items["newest_demand_date"])
        order_day = pd.to_datetime(lines["order_date"]).min() if "order_date" in lines else None
        if order_day is not None and pd.notna(order_day):
            stale = newest < order_day - pd.Timedelta(days=recent_days)
            quarantined_items = quarantined_items.loc[~stale.to_numpy(dtype=bool)]
    q = quarantined_items[[*KEYS, "reasons"]].astype(object)
    q["reasons"] = q["reasons"].fillna("").astype(str).str.split(";")
    q = q.explode("reasons")
    q["reasons"] = q["reasons"].astype(str).str.strip().replace("", "UNSPECIFIED")
    no_location = q["location"].isna() | (q["location"].astype(str).str.strip() == "")
    keyed = lines[KEYS].assign(_row=lines.index)
    matches = pd.concat(
        [
            keyed.merge(q.loc[~no_location], on=KEYS),
            keyed.merge(q.loc[no_location, ["sku", "reasons"]], on="sku"),
        ]
    ).drop_duplicates(["_row", "reasons"])
    # One join per flagged line (not per catalogue line), to name every reason once.
    reasons = matches.sort_values("reasons").groupby("_row")["reasons"].agg(", ".join)
    hit = lines.loc[reasons.index]
    message = (
        "Input rows for this item were quarantined tonight (" + reasons
        + "); check the stock and demand behind " + _order_text(hit) + "."
    )  # fmt: skip
    return _line_flags(hit, FlagCode.DATA_QUALITY, message, hit["line_value"])


def stockout_risk(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines where stock runs out before this order can arrive, even though we order.

    Available = on hand - backorders + open orders due within the lead time; at risk when
    that is below the expected demand over the lead time. The money at stake is the cost
    value of the demand not covered (a floor on the lost sales).
    """
    available = lines["on_hand"] - lines["backorders"] + lines["arriving_within_lead_time"]
    at_risk = available < lines["lead_time_demand"]
    hit, available = lines.loc[at_risk], available.loc[at_risk]
    short = hit["lead_time_demand"] - available
    money = short * hit["unit_cost"]
    message = (
        "Stock may run out before this order arrives: " + _qty(available)
        + " units available within the " + _qty(hit["lead_time_days"])
        + "-day lead time against an expected demand of " + _qty(hit["lead_time_demand"])
        + ", about " + _qty(short) + " units (" + _money(hit["currency"], money)
        + ") short; consider expediting."
    )  # fmt: skip
    return _line_flags(hit, FlagCode.STOCKOUT_RISK, message, money)


def constraint_inflation(lines: pd.DataFrame, rules: FlagRules) -> pd.DataFrame:
    """Lines where pack, MOQ or a minimum-order top-up buy more than the ratio x the need,
    and the excess is worth more than `constraint_inflation_min_value`.

    The money at stake is the excess at cost: stock bought for the supplier's terms, not
    for demand, which a buyer may negotiate away or decide not to carry.
    """
    if "constraint_inflation" not in lines:
        return _line_flags(lines.iloc[:0], FlagCode.CONSTRAINT_INFLATION, pd.Series(), pd.Series())
    excess_value = (lines["order_qty"] - lines["raw_qty"]) * lines["unit_cost"]
    hit = lines.loc[
        (lines["constraint_inflation"] > threshold(lines, rules, "constraint_inflation_ratio"))
        & (excess_value > threshold(lines, rules, "constraint_inflation_min_value"))
    ]
    excess = hit["order_qty"] - hit["raw_qty"]
    money = excess_value.loc[hit.index]
    message = (
        "The supplier's terms (" + hit["constraints"].astype(str).str.replace(";", ", ")
        + ") make " + _order_text(hit) + " " + _qty(hit["constraint_inflation"])
        + " times the " + _qty(hit["raw_qty"]) + " units needed; the excess of "
        + _qty(excess) + " units costs " + _money(hit["currency"], money) + "."
    )  # fmt: skip
    return _line_flags(hit, FlagCode.CONSTRAINT_INFLATION, message, money)


def flag_orders(
    lines: pd.DataFrame,
    orders: pd.DataFrame,
    forecast_summary: pd.DataFrame,
    quarantined_items: pd.DataFrame,
    rules: FlagRules | None = None,
    *,
    history: pd.DataFrame | None = None,
    order_history: pd.DataFrame | None = None,
    currencies: Currencies | None = None,
) -> pd.DataFrame:
    """All flags of the switched-on rules, ranked by money at stake (largest first).

    `history` holds earlier order lines (`review_rules_history.HISTORY_COLUMNS`) and
    `order_history` earlier placed orders (`review_rules_orders.ORDER_HISTORY_COLUMNS`);
    without them the rules comparing with earlier orders stay silent (the unusual-order
    rule falls back to the forecast). A `category` column on the lines lets category
    overrides apply. Money thresholds are in `currencies.base` and compared in each
    order's currency; an order in a currency without a rate raises MissingExchangeRate.

    Money at stake is the line value for line rules, the spend above the usual for an
    unusual order, and the uncovered lead-time demand at cost for a stock-out risk; it
    is in the order's currency (`currency`), and ranked by its base-currency value
    (`money_at_stake_base`). Only lines in a purchase order are checked: a line with
    nothing to order has nothing to approve.
    """
    rules = rules or FlagRules()
    currencies = currencies or Currencies()
    orders = orders.assign(fx_rate=currencies.rate_of(orders["currency"]).to_numpy())
    ordered = lines.loc[lines["po_key"].notna()].merge(
        orders[[c for c in ("po_key", "currency", "order_date", "fx_rate") if c in orders]],
        on="po_key",
        how="left",
    )
    order_history = empty_order_history() if order_history is None else order_history
    found = []
    if rules.large_line_value:
        found.append(large_line_value(ordered, rules))
    if rules.unusual_order:
        found.append(unusual_order(orders, lines, order_history, rules))
    if rules.large_order_value:
        found.append(large_first_order(orders, order_history, rules))
    if rules.new_item:
        found.append(new_item(ordered, forecast_summary))
    if rules.data_quality:
        found.append(data_quality(ordered, quarantined_items, rules.data_quality_recent_days))
    if rules.stockout_risk:
        found.append(stockout_risk(ordered))
    if rules.constraint_inflation:
        found.append(constraint_inflation(ordered, rules))
    found.extend(_more_flags(ordered, orders, forecast_summary, rules, history))
    found = [frame for frame in found if not frame.empty]
    columns = [*FLAG_COLUMNS, *FLAG_EXTRA_COLUMNS]
    if not found:
        return pd.DataFrame({c: pd.Series(dtype=float if c.startswith("money") else object)
                             for c in columns})  # fmt: skip
    flags = pd.concat(found, ignore_index=True)
    keyed = orders.set_index("po_key")
    flags["currency"] = flags["po_key"].map(keyed["currency"]).astype(object)
    flags["money_at_stake_base"] = (
        flags["money_at_stake"].astype(float) * flags["po_key"].map(keyed["fx_rate"]).astype(float)
    ).round(2)
    flags["_rank"] = flags["severity"].map(_SEVERITY_RANK)
    flags = flags.sort_values(
        ["money_at_stake_base", "_rank", "po_key", "code", "sku"],
        ascending=[False, True, True, True, True],
        kind="stable",
        na_position="last",
    )
    return flags[columns].reset_index(drop=True)


def _more_flags(
    ordered: pd.DataFrame,
    orders: pd.DataFrame,
    forecast_summary: pd.DataFrame,
    rules: FlagRules,
    history: pd.DataFrame | None,
) -> list[pd.DataFrame]:
    history = empty_history() if history is None else history
    found = [implausible_forecast(ordered, forecast_summary)]  # never switched off
    if rules.low_confidence:
        found.append(low_confidence(ordered, forecast_summary, rules))
    if rules.dormant_item:
        found.append(dormant_item(ordered, forecast_summary))
    if rules.excess_cover:
        found.append(excess_cover(ordered, rules))
    if rules.duplicate_risk:
        found.append(duplicate_risk(ordered))
    if rules.quantity_vs_history:
        found.append(quantity_vs_history(ordered, history, rules))
    if rules.price_change:
        found.append(price_change(ordered, history, rules))
    if rules.always_review_suppliers:
        found.append(always_review(orders, rules.always_review_suppliers))
    if rules.demand_anomaly:
        found.append(demand_anomaly(ordered, forecast_summary, rules))
    if rules.below_min_order_value:
        found.append(below_min_order_value(orders, ordered))
    return found


def order_decisions(
    orders: pd.DataFrame, flags: pd.DataFrame, rules: FlagRules | None = None
) -> pd.DataFrame:
    """Per po_key: pending_review if a flag that holds names the order, else auto_approved.

    Everything not flagged goes through untouched: that is the point of the product.
    Flags that only inform (`FlagRules.holds`: an `inform_only` code, or a line flag with
    little money at stake) stay on the order for the buyer to read but do not hold it;
    `flag_count` and `flag_codes` count the holding ones.
    """
    holding = flags.loc[(rules or FlagRules()).holds(flags)]
    per_order = holding.groupby("po_key")["code"].agg(
        flag_count="size", flag_codes=lambda codes: ";".join(sorted(set(codes)))
    )
    decisions = orders[["po_key"]].merge(per_order, on="po_key", how="left")
    decisions["flag_count"] = decisions["flag_count"].fillna(0).astype(int)
    decisions["flag_codes"] = decisions["flag_codes"].fillna("")
    decisions["decision"] = np.where(decisions["flag_count"] > 0, PENDING_REVIEW, AUTO_APPROVED)
    return decisions[["po_key", "decision", "flag_count", "flag_codes"]]
