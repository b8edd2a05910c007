"""The review-flag settings an administrator sets (`[flags]`), as one typed value.

`FlagRules` is the one home of every setting of every rule: its key, default, bounds and
meaning. A rule module (`flags/rules/`) names the settings it reads; the field that
switches a rule on carries the rule's code (`Switches`), so the settings know by
themselves which rules are on and which can never be switched off or demoted.

Why the settings are not declared in the rule modules and assembled from the registry:
a model built at run time (pydantic `create_model`) would hide every rule's keys from
mypy (`settings.flags.line_value_limit` would not type-check), and a class assembled by
inheritance from the rule modules would scatter the one settings model over six files.
So adding a rule with settings touches its rule module, the registry, and its block of
fields below; `tests/unit/test_flag_registry.py` checks that they agree.

Frozen and refusing unknown keys: a typo in the config file must fail the run at start-up,
not silently fall back to a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flags.codes import FlagCode


@dataclass(frozen=True)
class Switches:
    """Marks the field that switches rule `code` on (`Annotated[bool, Switches(code)]`)."""

    code: FlagCode


class FlagRules(BaseModel):
    """Which exceptions send a purchase order to a buyer instead of straight to the ERP.

    Every rule has its own on/off switch so an administrator can silence one rule without
    touching the thresholds of the others. Money limits are in the base currency
    (`[currency]`) and compared in each order's currency at the configured rate.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- How flagged orders are held ------------------------------------------------
    hold_only_flagged_lines: bool = Field(
        default=True,
        description="Move the flagged lines of a partly flagged order into a review order "
        "('<po_key>-R') so the ordinary lines go to the ERP tonight; off = the whole order "
        "waits for the buyer.",
    )

    # --- LARGE_LINE_VALUE (flags.rules.lines) ----------------------------------------
    large_line_value: Annotated[bool, Switches(FlagCode.LARGE_LINE_VALUE)] = Field(
        default=True, description="Switch for the line value rule."
    )
    line_value_limit: float = Field(
        default=2500.0,
        ge=0.0,
        description="A single line worth strictly more than this (order_qty * unit_cost) is "
        "reviewed: one wrong quantity at this size is a real cash or write-off risk.",
    )

    # --- UNUSUAL_ORDER (flags.rules.orders) ------------------------------------------
    unusual_order: Annotated[bool, Switches(FlagCode.UNUSUAL_ORDER)] = Field(
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

    # --- LARGE_ORDER_VALUE (flags.rules.orders) --------------------------------------
    large_order_value: Annotated[bool, Switches(FlagCode.LARGE_ORDER_VALUE)] = Field(
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

    # --- NEW_ITEM, DATA_QUALITY, STOCKOUT_RISK (flags.rules.lines) -------------------
    new_item: Annotated[bool, Switches(FlagCode.NEW_ITEM)] = Field(
        default=True,
        description="Flag lines of items the forecast classifies as new: with little history "
        "the quantity is closer to a guess than to a forecast.",
    )
    data_quality: Annotated[bool, Switches(FlagCode.DATA_QUALITY)] = Field(
        default=True,
        description="Flag lines whose item-location had input rows quarantined tonight: the "
        "numbers behind the quantity may be incomplete.",
    )
    data_quality_recent_days: float = Field(
        default=28.0,
        ge=0.0,
        description="Quarantined demand rows older than this many days before the order "
        "date do not flag the item: the extract repeats the whole history every night, so an "
        "old bad row would flag it every night forever, and the forecast barely rests on it. "
        "Quarantined stock, item and open-order rows, and undated ones, always flag.",
    )
    stockout_risk: Annotated[bool, Switches(FlagCode.STOCKOUT_RISK)] = Field(
        default=True,
        description="Flag lines where stock on hand plus what arrives within the lead time is "
        "less than the expected lead-time demand: the shelf empties before this order "
        "lands, so a buyer may want to expedite.",
    )

    # --- CONSTRAINT_INFLATION (flags.rules.lines) ------------------------------------
    constraint_inflation: Annotated[bool, Switches(FlagCode.CONSTRAINT_INFLATION)] = Field(
        default=True,
        description="Flag lines where the supplier's terms (pack size, MOQ, a top-up to the "
        "minimum order value) buy far more than the need: that stock may sit for months.",
    )
    constraint_inflation_ratio: float = Field(
        default=5.0,
        gt=1.0,
        description="A line is flagged when order_qty is strictly more than this many times "
        "the quantity the policy needed (raw_qty).",
    )
    constraint_inflation_min_value: float = Field(
        default=500.0,
        ge=0.0,
        description="... and the excess bought for the supplier's terms is worth strictly "
        "more than this at cost: a box of cheap screws 20 times the need is the normal price "
        "of buying screws, not worth a buyer's time.",
    )

    # --- LOW_CONFIDENCE (flags.rules.forecast) ---------------------------------------
    low_confidence: Annotated[bool, Switches(FlagCode.LOW_CONFIDENCE)] = Field(
        default=False,
        description="Flag lines whose forecast is too uncertain to trust unseen. Off by "
        "default: intermittent and lumpy items are uncertain by nature and would fill the "
        "buyer's list; switch on once the thresholds suit the catalogue.",
    )
    low_confidence_cv: float = Field(
        default=1.0,
        gt=0.0,
        description="Flag when the spread of demand over the protection interval "
        "(demand_std / demand_mean) is strictly above this: the stock target rests on a "
        "distribution wider than its own mean.",
    )
    low_confidence_rmsse: float = Field(
        default=1.5,
        gt=0.0,
        description="Flag when the chosen model's backtest RMSSE is strictly above this "
        "(1.0 = no better than the naive forecast); a series without a backtest is not flagged.",
    )

    # --- DORMANT_ITEM, EXCESS_COVER, DUPLICATE_RISK (flags.rules.forecast) -----------
    dormant_item: Annotated[bool, Switches(FlagCode.DORMANT_ITEM)] = Field(
        default=True,
        description="Flag lines of items the forecast classifies as dormant (no recent "
        "demand) that order something anyway: usually stale stock data or a forgotten item.",
    )
    excess_cover: Annotated[bool, Switches(FlagCode.EXCESS_COVER)] = Field(
        default=False,
        description="Flag lines that leave far more stock than the protection interval "
        "needs. Off by default: CONSTRAINT_INFLATION already names the usual cause (pack, "
        "MOQ); switch on to see excess from any cause.",
    )
    excess_cover_intervals: float = Field(
        default=3.0,
        gt=0.0,
        description="Flag when position + order_qty is strictly more than this many times "
        "the expected demand over the protection interval (demand_mean > 0 only).",
    )
    duplicate_risk: Annotated[bool, Switches(FlagCode.DUPLICATE_RISK)] = Field(
        default=True,
        description="Flag lines where an open order is still due (on_order > 0) and "
        "tonight's order_qty is at least that open quantity again (order_qty >= on_order): "
        "a likely re-order of something already coming.",
    )

    # --- UNPRECEDENTED_STOCK (flags.rules.precedent) ---------------------------------
    unprecedented_stock: Annotated[bool, Switches(FlagCode.UNPRECEDENTED_STOCK)] = Field(
        default=True,
        description="Hold lines whose stock target is far above anything the item-location "
        "ever sold over a window as long as its protection interval (lead time + review): "
        "stock without precedent is an exception for a buyer, not a purchase. New items "
        "keep their own rule.",
    )
    unprecedented_stock_factor: float = Field(
        default=1.5,
        gt=1.0,
        description="Hold when the target is strictly more than this many times the "
        "precedent (the largest demand, as sold, over any window of that length).",
    )
    unprecedented_min_intervals: float = Field(
        default=4.0,
        ge=1.0,
        description="Judge only items with at least this many protection intervals of "
        "history: a shorter history has not had the chance to set a precedent.",
    )

    # --- QUANTITY_VS_HISTORY, PRICE_CHANGE (flags.rules.history) ---------------------
    quantity_vs_history: Annotated[bool, Switches(FlagCode.QUANTITY_VS_HISTORY)] = Field(
        default=True,
        description="Flag lines far from the item-location's recent orders, and first "
        "orders ever once any order history exists; silent without history.",
    )
    quantity_history_ratio: float = Field(
        default=3.0,
        gt=1.0,
        description="Flag when order_qty is strictly more than this many times the average "
        "quantity of the item-location's recent orders.",
    )
    history_orders: int = Field(
        default=5,
        ge=1,
        description="How many of the item-location's most recent earlier orders make its "
        "history for the quantity and price rules.",
    )
    price_change: Annotated[bool, Switches(FlagCode.PRICE_CHANGE)] = Field(
        default=True,
        description="Flag lines whose unit cost differs from the last order of the same "
        "item-location from the same supplier: a price list error or an unnoticed increase.",
    )
    price_change_share: float = Field(
        default=0.10,
        gt=0.0,
        description="Flag when |unit_cost - last unit_cost| / last unit_cost is strictly "
        "above this share (0.10 = 10%).",
    )

    # --- DEMAND_ANOMALY, BELOW_MIN_ORDER_VALUE (flags.rules.demand) ------------------
    demand_anomaly: Annotated[bool, Switches(FlagCode.DEMAND_ANOMALY)] = Field(
        default=True,
        description="Flag lines whose latest demand (the last week for daily data, else the "
        "last period) lies outside the forecast's band: a one-off bulk sale or a sudden "
        "collapse the quantity is built on, or a change the model has not caught up with.",
    )
    demand_anomaly_band: float = Field(
        default=0.98,
        gt=0.0,
        lt=1.0,
        description="Central probability of the band: 0.98 flags latest demand below the "
        "forecast's 1% quantile or above its 99% quantile for the same number of periods.",
    )
    below_min_order_value: Annotated[bool, Switches(FlagCode.BELOW_MIN_ORDER_VALUE)] = Field(
        default=True,
        description="Flag orders proposed below the supplier's minimum order value "
        "(min_order_action 'review', or a top-up that could not reach it): the supplier "
        "may refuse the order or add a surcharge.",
    )

    # --- Which flags hold, and how many a person can decide -------------------------
    inform_only: list[FlagCode] = Field(
        # Most serious first (as the settings have always listed them).
        default_factory=lambda: [FlagCode.STOCKOUT_RISK, FlagCode.LARGE_LINE_VALUE],
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

    # --- ALWAYS_REVIEW (flags.rules.history): on while the list is not empty ---------
    always_review_suppliers: Annotated[list[str], Switches(FlagCode.ALWAYS_REVIEW)] = Field(
        default_factory=list,
        description="Supplier ids whose every order waits for a buyer (flag ALWAYS_REVIEW), "
        "e.g. a new supplier or one under dispute; nothing is auto-approved for them.",
    )

    # --- Thresholds per supplier or category ----------------------------------------
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

    @classmethod
    def switch_of(cls, code: str) -> str | None:
        """The field that switches rule `code` on (a list: on when not empty); None = the
        rule cannot be switched off or demoted to information."""
        return _SWITCH_OF.get(str(code))

    def is_on(self, code: str) -> bool:
        """Whether rule `code` runs with these settings."""
        field = self.switch_of(code)
        return field is None or bool(getattr(self, field))

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
        return frozenset(str(code) for code in FlagCode if self.is_on(code))


# {reason code: the field that switches it}, read once from the fields' `Switches` marks.
_SWITCH_OF: dict[str, str] = {
    str(mark.code): name
    for name, info in FlagRules.model_fields.items()
    for mark in info.metadata
    if isinstance(mark, Switches)
}
# Codes no setting can switch off or demote to information: the quantity behind them
# was recognised as impossible, so a person decides whatever the line is worth.
ALWAYS_HOLD = frozenset(code for code in FlagCode if str(code) not in _SWITCH_OF)
