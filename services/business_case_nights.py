"""One replayed night of the business case: the nightly plan, flag and route code run on
the stock and open orders the replayed policy had that night.

The replay (`purchasing.replay`) gives, for every item-location reviewed that night, its
stock, its open orders and the demand estimate the policy saw. Those become the frames
the nightly run would have read (forecast summary, stock, open orders), and the night goes
through the same `plan_lines`, `group_orders` and `services.flagging.review_plan` as a
real night, so the counts of auto-approved lines and of decisions are the nightly code's
own. The rules that compare with earlier orders read the nights replayed before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from approvals.routing import RoutingPolicy
from domain.nightly import Plan
from flags import AUTO_APPROVED, FlagRules
from flags.rules.history import HISTORY_COLUMNS
from flags.rules.orders import ORDER_HISTORY_COLUMNS
from purchasing import PolicyParams, group_orders, plan_lines
from purchasing.currency import Currencies
from purchasing.replay import ReplayStep
from services.business_case_model import NightFigures
from services.flagging import review_plan

# What the replay does not know and the rules read from a real forecast: left unknown
# (NaN / None), so the rules that need them stay silent (docs/business-case.md).
_UNKNOWN_FORECAST = {
    "fallback": None, "fit_rmse": np.nan, "backtest_rmsse": np.nan, "backtest_mase": np.nan,
    "bias": np.nan, "candidates": "{}", "implausible": None, "recent_days": np.nan,
    "recent_demand": np.nan, "recent_expected": np.nan, "recent_std": np.nan,
    "capped_periods": 0, "demand_cap": np.nan, "censored_periods": 0, "spread_basis": None,
}  # fmt: skip


@dataclass(frozen=True)
class Review:
    """What the policy's replay knew of the rows it reviewed on one night."""

    t: int
    rows: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    up_to: np.ndarray
    on_hand: np.ndarray
    on_order: np.ndarray


@dataclass
class NightRecorder:
    """A replay observer keeping each review of the policy (rows, estimates, stock)."""

    reviews: list[Review] = field(default_factory=list)

    def __call__(self, step: ReplayStep) -> None:
        if step.rows.size:
            self.reviews.append(
                Review(step.t, step.rows.copy(), step.mean.copy(), step.std.copy(),
                       np.asarray(step.up_to, float).copy(), step.on_hand.copy(),
                       step.on_order.copy())
            )  # fmt: skip


@dataclass(frozen=True)
class NightInputs:
    """What every night shares: the catalogue aligned with the replay's rows, the
    supplier terms, the rules, and the as-sold history the precedent is read from."""

    items: pd.DataFrame  # active items, row i = replay series i
    classes: np.ndarray
    first_period: np.ndarray
    protection: np.ndarray  # periods, per series
    sold: np.ndarray  # as-sold demand (series x periods)
    suppliers: pd.DataFrame
    quarantined: pd.DataFrame
    policy: PolicyParams
    rules: FlagRules
    routing: RoutingPolicy
    currencies: Currencies


@dataclass
class NightHistory:
    """Earlier replayed orders, as the rules comparing with history read them."""

    lines: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HISTORY_COLUMNS))
    orders: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=ORDER_HISTORY_COLUMNS)
    )


def replay_night(
    review: Review, night: date, inputs: NightInputs, history: NightHistory
) -> NightFigures:
    """Plan, flag and route one night; add its orders to `history` (every order counts as
    placed: the business case assumes the buyers' decisions keep the proposal)."""
    items = inputs.items.iloc[review.rows].reset_index(drop=True)
    summary = _summary(review, items, inputs)
    stock = items[["sku", "location"]].assign(on_hand=review.on_hand, as_of=pd.Timestamp(night))
    pending = review.on_order > 0
    open_orders = items.loc[pending, ["sku", "location", "supplier_id"]].assign(
        order_ref=[f"REPLAY-{i}" for i in range(int(pending.sum()))],
        quantity=review.on_order[pending],
        due_date=pd.Timestamp(night) + pd.Timedelta(days=1),
    )
    lines = plan_lines(summary, items, stock, open_orders, as_of=night, params=inputs.policy)
    orders, lines = group_orders(lines, inputs.suppliers, as_of=night, params=inputs.policy)
    decided = review_plan(
        Plan(lines=lines, orders=orders), items, summary, inputs.quarantined, inputs.rules,
        inputs.routing, inputs.currencies,
        history=history.lines.astype({"quantity": float, "unit_cost": float}),
        order_history=history.orders.astype({"value": float, "line_count": float}),
    )  # fmt: skip
    orders = decided.plan.orders
    auto = orders["po_key"].map(decided.decisions).eq(AUTO_APPROVED).to_numpy(dtype=bool)
    value = inputs.currencies.to_base(orders["value"], orders["currency"]).to_numpy()
    count = orders["line_count"].to_numpy()
    flags = decided.flags
    holding = flags.loc[inputs.rules.holds(flags).to_numpy(dtype=bool)]
    held = holding.loc[holding["po_key"].isin(orders.loc[~auto, "po_key"])]
    reasons = held.drop_duplicates(["po_key", "code"])["code"].astype(str).value_counts()
    _remember(history, decided.plan.lines, orders, night, inputs.rules)
    return NightFigures(
        night=night,
        orders=len(orders),
        lines=int(count.sum()),
        value=round(float(value.sum()), 2),
        auto_approved_orders=int(auto.sum()),
        auto_approved_lines=int(count[auto].sum()),
        auto_approved_value=round(float(value[auto].sum()), 2),
        decisions=int((~auto).sum()),
        lines_to_people=int(count[~auto].sum()),
        value_to_people=round(float(value[~auto].sum()), 2),
        held_by_reason={str(code): int(n) for code, n in reasons.sort_index().items()},
    )


def _summary(review: Review, items: pd.DataFrame, inputs: NightInputs) -> pd.DataFrame:
    """The forecast summary the night would have read, from the replay's estimate."""
    rows = review.rows
    periods = inputs.protection[rows].astype(float)
    return items[["sku", "location"]].assign(
        demand_class=inputs.classes[rows],
        model="replay estimate",
        history_periods=np.maximum(review.t - inputs.first_period[rows], 0),
        mean_per_period=review.mean,
        protection_periods=periods,
        demand_mean=review.mean * periods,
        demand_std=review.std * np.sqrt(periods),
        service_level=items["service_level"].to_numpy(float),
        demand_quantile=np.nan_to_num(review.up_to),
        precedent=precedent(inputs.sold, rows, inputs.protection[rows], review.t),
        **_UNKNOWN_FORECAST,
    )


def precedent(sold: np.ndarray, rows: np.ndarray, periods: np.ndarray, t: int) -> np.ndarray:
    """The most each row sold over any window of its `periods` before period t (NaN when
    its history is shorter than one window): what UNPRECEDENTED_STOCK compares with."""
    out = np.full(rows.size, np.nan)
    sums = np.concatenate([np.zeros((rows.size, 1)), np.cumsum(sold[rows, :t], axis=1)], axis=1)
    for span in np.unique(periods):
        mine = np.flatnonzero(periods == span)
        if 0 < span <= t:
            windows = sums[mine, span:] - sums[mine, : t + 1 - span]
            out[mine] = windows.max(axis=1)
    return out


def _remember(
    history: NightHistory, lines: pd.DataFrame, orders: pd.DataFrame, night: date,
    rules: FlagRules,
) -> None:  # fmt: skip
    """Keep each item's and each supplier-location's latest orders, as many as the
    rules read (`history_orders`, `order_history_orders`)."""
    ordered = lines.loc[lines["po_key"].notna() & (lines["order_qty"] > 0)]
    new_lines = ordered.assign(quantity=ordered["order_qty"], order_date=pd.Timestamp(night))
    both = _after(history.lines, new_lines[HISTORY_COLUMNS])
    history.lines = both.groupby(["sku", "location"], sort=False).tail(rules.history_orders)
    new_orders = orders.assign(order_date=pd.Timestamp(night))[ORDER_HISTORY_COLUMNS]
    both = _after(history.orders, new_orders)
    history.orders = both.groupby(["supplier_id", "location"], sort=False).tail(
        rules.order_history_orders
    )


def _after(earlier: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """`new` appended to `earlier` (an empty side is left out, so the columns keep the
    other side's types)."""
    if earlier.empty:
        return new.reset_index(drop=True)
    if new.empty:
        return earlier
    return pd.concat([earlier, new], ignore_index=True)
