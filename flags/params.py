"""The review-flag settings an administrator sets (`[flags]`), as one typed value.

Frozen and refusing unknown keys: a typo in the config file must fail the run at start-up,
not silently fall back to a default. Every rule's default switch, thresholds and whether
it holds or informs come from the flag registry (`flags.registry`).
"""

from __future__ import annotations

import pandas as pd
from pydantic import Field, model_validator

from flags.codes import FlagCode
from flags.params_orders import OrderAndLineRules
from flags.registry import (
    ALWAYS_HOLD,
    INFORMING_BY_DEFAULT,
    default_count,
    default_switch,
    default_threshold,
    enabled_codes,
)


class FlagRules(OrderAndLineRules):
    """Which exceptions send a purchase order to a buyer instead of straight to the ERP.

    Every rule has its own on/off switch so an administrator can silence one rule without
    touching the thresholds of the others. Money limits are in the base currency
    (`[currency]`) and compared in each order's currency at the configured rate.
    """

    low_confidence: bool = Field(
        default=default_switch("low_confidence"),
        description="Flag lines whose forecast is too uncertain to trust unseen. Off by "
        "default: intermittent and lumpy items are uncertain by nature and would fill the "
        "buyer's list; switch on once the thresholds suit the catalogue.",
    )
    low_confidence_cv: float = Field(
        default=default_threshold("low_confidence_cv"),
        gt=0.0,
        description="Flag when the spread of demand over the protection interval "
        "(demand_std / demand_mean) is strictly above this: the stock target rests on a "
        "distribution wider than its own mean.",
    )
    low_confidence_rmsse: float = Field(
        default=default_threshold("low_confidence_rmsse"),
        gt=0.0,
        description="Flag when the chosen model's backtest RMSSE is strictly above this "
        "(1.0 = no better than the naive forecast); a series without a backtest is not flagged.",
    )
    dormant_item: bool = Field(
        default=default_switch("dormant_item"),
        description="Flag lines of items the forecast classifies as dormant (no recent "
        "demand) that order something anyway: usually stale stock data or a forgotten item.",
    )
    excess_cover: bool = Field(
        default=default_switch("excess_cover"),
        description="Flag lines that leave far more stock than the protection interval "
        "needs. Off by default: CONSTRAINT_INFLATION already names the usual cause (pack, "
        "MOQ); switch on to see excess from any cause.",
    )
    excess_cover_intervals: float = Field(
        default=default_threshold("excess_cover_intervals"),
        gt=0.0,
        description="Flag when position + order_qty is strictly more than this many times "
        "the expected demand over the protection interval (demand_mean > 0 only).",
    )
    duplicate_risk: bool = Field(
        default=default_switch("duplicate_risk"),
        description="Flag lines where an open order is still due (on_order > 0) and "
        "tonight's order_qty is at least that open quantity again (order_qty >= on_order): "
        "a likely re-order of something already coming.",
    )
    unprecedented_stock: bool = Field(
        default=default_switch("unprecedented_stock"),
        description="Hold lines whose stock target is far above anything the item-location "
        "ever sold over a window as long as its protection interval (lead time + review): "
        "stock without precedent is an exception for a buyer, not a purchase. New items "
        "keep their own rule.",
    )
    unprecedented_stock_factor: float = Field(
        default=default_threshold("unprecedented_stock_factor"),
        gt=1.0,
        description="Hold when the target is strictly more than this many times the "
        "precedent (the largest demand, as sold, over any window of that length).",
    )
    unprecedented_min_intervals: float = Field(
        default=default_threshold("unprecedented_min_intervals"),
        ge=1.0,
        description="Judge only items with at least this many protection intervals of "
        "history: a shorter history has not had the chance to set a precedent.",
    )
    quantity_vs_history: bool = Field(
        default=default_switch("quantity_vs_history"),
        description="Flag lines far from the item-location's recent orders, and first "
        "orders ever once any order history exists; silent without history.",
    )
    quantity_history_ratio: float = Field(
        default=default_threshold("quantity_history_ratio"),
        gt=1.0,
        description="Flag when order_qty is strictly more than this many times the average "
        "quantity of the item-location's recent orders.",
    )
    history_orders: int = Field(
        default=default_count("history_orders"),
        ge=1,
        description="How many of the item-location's most recent earlier orders make its "
        "history for the quantity and price rules.",
    )
    price_change: bool = Field(
        default=default_switch("price_change"),
        description="Flag lines whose unit cost differs from the last order of the same "
        "item-location from the same supplier: a price list error or an unnoticed increase.",
    )
    price_change_share: float = Field(
        default=default_threshold("price_change_share"),
        gt=0.0,
        description="Flag when |unit_cost - last unit_cost| / last unit_cost is strictly "
        "above this share (0.10 = 10%).",
    )
    demand_anomaly: bool = Field(
        default=default_switch("demand_anomaly"),
        description="Flag lines whose latest demand (the last week for daily data, else the "
        "last period) lies outside the forecast's band: a one-off bulk sale or a sudden "
        "collapse the quantity is built on, or a change the model has not caught up with.",
    )
    demand_anomaly_band: float = Field(
        default=default_threshold("demand_anomaly_band"),
        gt=0.0,
        lt=1.0,
        description="Central probability of the band: 0.98 flags latest demand below the "
        "forecast's 1% quantile or above its 99% quantile for the same number of periods.",
    )
    below_min_order_value: bool = Field(
        default=default_switch("below_min_order_value"),
        description="Flag orders proposed below the supplier's minimum order value "
        "(min_order_action 'review', or a top-up that could not reach it): the supplier "
        "may refuse the order or add a surcharge.",
    )
    inform_only: list[FlagCode] = Field(
        default_factory=lambda: list(INFORMING_BY_DEFAULT),
        description="Reason codes that are told to the buyer but do not hold the order. "
        "STOCKOUT_RISK: ordering is not what is wrong (the shelf empties before any order "
        "can arrive), and holding the order would only delay it further; the buyer is asked "
        "to expedite instead. LARGE_LINE_VALUE: a line is an exception when it is unusual "
        "(new item, bad data, anomalous demand, far from its history, a likely duplicate), "
        "not merely large; a large line those rules find ordinary goes out and is listed "
        "for the buyer. Remove it from this list to hold every line above line_value_limit.",
    )
    review_min_money_at_stake: float = Field(
        default=100.0,
        ge=0.0,
        description="A line flag whose money at stake is below this informs instead of "
        "holding: the order goes out and the buyer's e-mail lists it under 'worth a look'. "
        "A person's review costs more than the risk of a few euros; 0 = every flag holds. "
        "Order-level flags always hold.",
    )
    review_capacity: int = Field(
        default=30,
        ge=0,
        description="Decisions one approver can take per night (a held line, or a held "
        "order for an order-level flag). When tonight's holds exceed it, the lines with the "
        "most money at stake hold and the rest are passed on: sent with their flags as "
        "information, counted in the run summary. 0 = no limit. Order-level flags always "
        "hold (they use up capacity first).",
    )
    always_review_suppliers: list[str] = Field(
        default_factory=list,
        description="Supplier ids whose every order waits for a buyer (flag ALWAYS_REVIEW), "
        "e.g. a new supplier or one under dispute; nothing is auto-approved for them.",
    )
    overrides: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Thresholds per supplier or category, keyed 'supplier:<supplier_id>' or "
        "'category:<category>', each a map of threshold name to value, e.g. "
        "{'supplier:SUP-01' = {line_value_limit = 5000.0}}. Precedence: supplier over "
        "category over the global value. Order-level thresholds (unusual_order_ratio, "
        "order_value_limit) take supplier overrides only (an order has no single category).",
    )

    @model_validator(mode="after")
    def _known_overrides(self) -> FlagRules:
        # A misspelt override would silently leave the global limit in force.
        tunable = {name for name, f in type(self).model_fields.items() if f.annotation is float}
        for key, values in self.overrides.items():
            scope, _, target = key.partition(":")
            if scope not in ("supplier", "category") or not target:
                raise ValueError(f"override key {key!r}: use 'supplier:<id>' or 'category:<name>'")
            unknown = sorted(set(values) - tunable)
            if unknown:
                raise ValueError(f"override {key!r}: unknown thresholds {unknown}")
        return self

    def overrides_for(self, scope: str, name: str) -> dict[str, float]:
        """{supplier id or category: value} of threshold `name` for one scope."""
        prefix = scope + ":"
        return {
            key[len(prefix) :]: values[name]
            for key, values in self.overrides.items()
            if key.startswith(prefix) and name in values
        }

    def holds(self, flags: pd.DataFrame) -> pd.Series:
        """Which flags hold their order for a person; the others only inform.

        A flags frame that went through the review capacity carries the answer in its
        `holds` column (`flags.capacity`). Otherwise: a line flag informs
        when its code is in `inform_only` or its money at stake (in the base currency,
        `money_at_stake_base`, when the frame has it) is below
        `review_min_money_at_stake`. Order-level flags (no sku: an unusual order, its
        supplier's minimum, always-review suppliers) always hold.
        """
        by_rule = self.holds_by_rule(flags)
        if "holds" in flags:
            decided = flags["holds"]
            return decided.where(decided.notna(), by_rule).astype(bool)
        return by_rule

    def holds_by_rule(self, flags: pd.DataFrame) -> pd.Series:
        """`holds` before any review capacity is applied."""
        informs = flags["code"].astype(str).isin([str(code) for code in self.inform_only])
        stake = flags["money_at_stake_base" if "money_at_stake_base" in flags else "money_at_stake"]
        small = flags["sku"].notna() & (stake.astype(float) < self.review_min_money_at_stake)
        always = flags["code"].astype(str).isin([str(code) for code in ALWAYS_HOLD])
        return ~(informs | small) | always

    def enabled_codes(self) -> frozenset[str]:
        """Reason codes of the switched-on rules, for run summaries and routing config."""
        return enabled_codes(self)
