"""Service curves, curve dominance, the product's levels in the replay and the engine's
refitted estimates."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastParams
from purchasing.demand_history import demand_history
from purchasing.engine_estimates import EngineEstimates, engine_estimates
from purchasing.replay_classes import window_classes
from purchasing.replay_levels import product_levels, safety_baseline_levels
from purchasing.service_curve import (
    dominates,
    inventory_saving_at_equal_fill,
    savings_at_equal_fill,
)


def point(target: float, fill: float, value: float) -> dict[str, float]:
    return {"service_target": target, "fill_rate": fill, "cycle_service_level": fill,
            "avg_inventory_value": value}  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ([point(0.5, 0.80, 90.0), point(0.9, 0.95, 150.0)], True),
        ([point(0.5, 0.79, 90.0), point(0.9, 0.95, 150.0)], False),  # nothing >= 0.80 at <= 100
        ([point(0.5, 0.80, 90.0), point(0.9, 0.94, 150.0)], False),  # 0.95 is never reached
    ],
)
def test_dominance_needs_a_policy_point_at_least_as_good_for_every_baseline_point(
    policy: list[dict[str, float]], expected: bool
) -> None:
    baseline = [point(0.5, 0.80, 100.0), point(0.9, 0.95, 200.0)]
    assert dominates({"policy": policy, "baseline": baseline}) is expected


def test_window_classes_follow_syntetos_boylan() -> None:
    smooth = np.full(20, 5.0)
    erratic = np.tile([1.0, 12.0], 10)
    intermittent = np.tile([0.0, 0.0, 3.0, 0.0], 5)
    lumpy = np.tile([0.0, 0.0, 1.0, 0.0, 0.0, 15.0], 4)[:20]
    nothing = np.zeros(20)
    demand = np.vstack([smooth, erratic, intermittent, lumpy, nothing, smooth])
    begin = np.array([20, 20, 20, 20, 20, 20])
    classes = window_classes(np.hstack([demand, np.zeros((6, 5))]), begin, 20)
    assert classes.tolist() == ["smooth", "erratic", "intermittent", "lumpy", "dormant", "smooth"]


def test_product_levels_follow_each_series_measure() -> None:
    mean, std = np.array([0.03, 0.03]), np.array([0.3, 0.3])
    levels = product_levels(
        mean, std, lead_periods=np.array([14, 14]), lead_std_periods=np.array([0.0, 0.0]),
        review_periods=np.array([7, 7]), service_level=np.array([0.95, 0.95]),
        count_like=np.array([True, True]), fill_rate=np.array([False, True]),
    )  # fmt: skip
    # the lumpy series' 95% quantile vs the stock that serves 95% of its demand
    assert levels.up_to[0] < levels.up_to[1]
    assert np.array_equal(levels.reorder, levels.up_to)


def test_safety_baseline_at_50_percent_is_the_plain_min_max() -> None:
    plain = safety_baseline_levels(
        np.array([2.0]), np.array([1.0]), lead_periods=np.array([4]),
        review_periods=np.array([3]), service_level=np.array([0.5]),
    )  # fmt: skip
    assert (plain.reorder[0], plain.up_to[0]) == (8.0, 14.0)
    safer = safety_baseline_levels(
        np.array([2.0]), np.array([1.0]), lead_periods=np.array([4]),
        review_periods=np.array([3]), service_level=np.array([0.95]),
    )  # fmt: skip
    assert safer.reorder[0] == pytest.approx(8.0 + 1.645 * 2.0, abs=1e-3)


def test_engine_estimates_never_use_a_later_refit() -> None:
    estimates = EngineEstimates(
        refit_at=np.array([10, 20]), mean=np.array([[1.0, 2.0], [3.0, 4.0]]),
        std=np.array([[0.1, 0.2], [0.3, 0.4]]), classes=np.array(["smooth", "smooth"]),
    )  # fmt: skip
    assert estimates(10, np.array([1]))[0].tolist() == [2.0]
    assert estimates(19, np.array([0, 1]))[0].tolist() == [1.0, 2.0]
    assert estimates(25, np.array([0]))[1].tolist() == [0.3]


def test_engine_estimates_refit_the_forecast_on_what_was_known() -> None:
    days = pd.date_range("2026-01-01", periods=120, freq="D")
    rng = np.random.default_rng(4)
    demand = pd.concat(
        [
            pd.DataFrame({"sku": "A", "location": "L", "date": days,
                          "quantity": rng.poisson(4.0, days.size).astype(float)}),
            # B sells 10 a day until day 80, then 30: a later refit must see the change
            pd.DataFrame({"sku": "B", "location": "L", "date": days,
                          "quantity": np.where(np.arange(days.size) < 80, 10.0, 30.0)}),
        ]
    )  # fmt: skip
    items = pd.DataFrame(
        {"sku": ["A", "B"], "location": "L", "supplier_id": "S", "unit_cost": 1.0,
         "pack_size": 1, "moq": 0.0, "lead_time_days": 7.0, "lead_time_std_days": 0.0,
         "service_level": np.nan, "review_period_days": 7.0, "max_order_qty": np.nan,
         "category": "", "description": "", "active": True}
    )  # fmt: skip
    history = demand_history(demand, items, frequency="D", as_of=date(2026, 5, 1))
    params = ForecastParams(choose_by_backtest=False)
    estimates = engine_estimates(demand, items, history, begin=60, refit_every=30, params=params)
    assert estimates.refit_at.tolist() == [60, 90]
    before, after = estimates.mean[:, 1]
    assert before == pytest.approx(10.0, abs=0.5)  # day 60 knows only the 10s
    assert after > 15.0  # day 90 has seen ten days of 30
    assert estimates.mean[0, 0] == pytest.approx(4.0, abs=1.0)
    assert estimates.classes.tolist() == ["smooth", "smooth"]


def test_inventory_saving_at_equal_fill_is_read_along_the_policys_curve() -> None:
    """Hand-checked: the baseline reaches fill 0.85 with 100; the policy's curve passes
    0.80 at 50 and 0.90 at 70, so 0.85 costs it 60: a 40% saving. A fill the policy
    never reaches has no saving; below its lowest point its lowest stock is the bound."""

    def point(target: float, fill: float, held: float) -> dict[str, float]:
        return {"service_target": target, "fill_rate": fill, "cycle_service_level": fill,
                "avg_inventory_value": held}  # fmt: skip

    curve = {
        "policy": [point(0.5, 0.80, 50.0), point(0.9, 0.90, 70.0)],
        "baseline": [point(0.5, 0.70, 60.0), point(0.95, 0.85, 100.0), point(0.99, 0.95, 150.0)],
    }
    assert inventory_saving_at_equal_fill(curve) == pytest.approx(0.40)
    rows = savings_at_equal_fill(curve)
    assert [row["saving"] for row in rows] == [pytest.approx(1 - 50 / 60), pytest.approx(0.4), None]
