"""Policy and review settings for purchasing, as typed values the administrator can set.

Both models are frozen and refuse unknown keys: a typo in the config file must fail the
run at start-up, not silently fall back to a default that buys the wrong amount.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from purchasing.item_policy import ItemPolicy


class PolicyParams(BaseModel):
    """Defaults of the periodic-review, order-up-to policy.

    Per-item values in `items` (service_level, review_period_days) win; these fill the
    gaps so every item-location is planned with an explicit, recorded setting.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    default_service_level: float = Field(
        default=0.95,
        gt=0.0,
        lt=1.0,
        description="Share of demand outcomes the stock target should cover when the item "
        "sets none. 1.0 is refused: it would mean infinite safety stock.",
    )
    fill_rate_classes: list[str] = Field(
        default_factory=lambda: ["intermittent", "lumpy"],
        description="Demand classes whose service level is a fill rate (share of demand "
        "served from stock) unless the item's or category's policy names a measure; the "
        "others are a cycle service level (share of cycles without a stock-out). For "
        "sporadic items most cycles see no demand, so a cycle service level is met by luck "
        "and says little about how much of the demand that comes is served.",
    )
    fill_rate_quantile_cap: float = Field(
        default=0.995,
        gt=0.5,
        lt=1.0,
        description="A fill-rate level never exceeds this quantile of protection-interval "
        "demand: serving a rare huge order (a project now and then) from the shelf would "
        "take absurd stock, which is not what stock is for.",
    )
    default_review_period_days: float = Field(
        default=7.0,
        gt=0.0,
        description="Days until the next planning run looks at the item again; the order "
        "must cover demand until then plus the lead time.",
    )
    open_order_horizon_days: float | None = Field(
        default=None,
        gt=0.0,
        description="Open purchase orders due within this many days of as_of count as on "
        "order. None = each item's own protection interval (lead time + review period): "
        "stock arriving after that cannot cover the demand this order is sized for, and "
        "counting it would under-order now.",
    )
    item_policies: dict[str, ItemPolicy] = Field(
        default_factory=dict,
        description="Policy per sku (all its locations); wins over category_policies.",
    )
    category_policies: dict[str, ItemPolicy] = Field(
        default_factory=dict,
        description="Policy per item category; items in none of them are order-up-to.",
    )
    min_order_action: Literal["top_up", "hold", "review"] = Field(
        default="top_up",
        description="A purchase order worth less than the supplier's min_order_value is "
        "topped up with the lines that will need ordering soonest (fewest days of cover), "
        "held until enough is needed, or proposed as planned for a buyer to decide (flag "
        "BELOW_MIN_ORDER_VALUE). Topping up spends money earlier than the policy asks, on "
        "stock that would be bought soon anyway; holding risks the shelf. An order a "
        "top-up cannot lift to the minimum goes to a buyer, never silently nowhere.",
    )
    unmet_demand: Literal["lost", "backorder"] = Field(
        default="lost",
        validation_alias=AliasChoices("unmet_demand", "simulation_unmet_demand"),
        description="What happens to demand the shelf cannot serve: lost (a shop: the "
        "customer buys elsewhere) or backordered (a distributor: shipped when stock "
        "arrives, and subtracted from the inventory position until then). The fill-rate "
        "level and `replenish simulate` both count it so: a lost sale leaves the next "
        "cycle's stock untouched, so the same fill rate needs less stock than with "
        "backorders (`purchasing.service_measure.lost_during_lead_time`). The former key "
        "`simulation_unmet_demand` is still read.",
    )
    simulation_window_days: float = Field(
        default=365.0,
        gt=0.0,
        description="In `replenish simulate`, each review re-estimates demand from this "
        "many trailing days; a series is replayed only once it has that much history.",
    )
    simulation_estimates: Literal["engine", "trailing"] = Field(
        default="engine",
        description="In `replenish simulate`, each review's demand mean and spread come "
        "from the product's forecasting engine refitted on what was known then (engine: "
        "model choice, spike cap and classes included) or from a trailing window "
        "(trailing: fast, measures the policy alone).",
    )
    simulation_refit_every_days: float = Field(
        default=28.0,
        gt=0.0,
        description="With simulation_estimates = 'engine', the forecast is refitted every "
        "this many days of the replay (one statsforecast pass over all series each time) "
        "and its figures used until the next refit.",
    )
    simulation_seed: int = Field(
        default=0,
        description="Seed of the lead-time draws in `replenish simulate` (items with a "
        "lead_time_std_days), so two runs on the same data report the same figures.",
    )
