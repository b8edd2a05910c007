"""DEMAND_ANOMALY around its band, and flags that inform without holding the order."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from flags import FlagRules, flag_orders, order_decisions
from flags.review import AUTO_APPROVED, PENDING_REVIEW
from purchasing import group_orders

AS_OF = pd.Timestamp("2024-01-05")
SUPPLIERS = pd.DataFrame({"supplier_id": ["S1"], "name": ["Acme"], "currency": ["EUR"]})
NO_QUARANTINE = pd.DataFrame({"sku": [], "location": [], "reasons": []}, dtype=object)
ANOMALY_ONLY = FlagRules(
    large_line_value=False, large_order_value=False, new_item=False, data_quality=False,
    stockout_risk=False, constraint_inflation=False, dormant_item=False,
    duplicate_risk=False, quantity_vs_history=False, price_change=False,
)  # fmt: skip


def lines_and_orders(*skus: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    lines = pd.DataFrame(
        [
            {"sku": sku, "location": "WH1", "supplier_id": "S1", "order_qty": 10.0,
             "unit_cost": 2.0, "line_value": 20.0, "on_hand": 5.0, "backorders": 0.0,
             "on_order": 0.0, "position": 5.0, "demand_mean": 10.0, "lead_time_days": 7.0,
             "arriving_within_lead_time": 0.0, "lead_time_demand": 20.0, "po_key": None}
            for sku in skus
        ]
    )  # fmt: skip
    orders, keyed = group_orders(lines, SUPPLIERS, as_of=AS_OF)
    return keyed, orders


def summary(lines: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    base = {"sku": lines["sku"], "location": "WH1", "demand_class": "smooth",
            "recent_days": 7.0, "recent_demand": 70.0, "recent_expected": 70.0,
            "recent_std": 10.0}  # fmt: skip
    return pd.DataFrame({**base, **columns})


# Smooth demand: a normal band. 98% -> expected +- 2.326 sd; the rule allows half a unit.
HIGH = 70.0 + stats.norm.ppf(0.99) * 10.0
LOW = 70.0 - stats.norm.ppf(0.99) * 10.0


@pytest.mark.parametrize(
    ("recent", "fires", "words"),
    [
        (HIGH + 0.51, True, "above the forecast's range of 46.7 to 93.3 units"),
        (HIGH + 0.49, False, ""),
        (70.0, False, ""),
        (LOW - 0.49, False, ""),
        (LOW - 0.51, True, "below the forecast's range"),
        (float("nan"), False, ""),  # no history (a new item): NEW_ITEM's business
    ],
)
def test_demand_anomaly_fires_outside_the_forecast_band(
    recent: float, fires: bool, words: str
) -> None:
    lines, orders = lines_and_orders("A")
    flags = flag_orders(lines, orders, summary(lines, recent_demand=recent), NO_QUARANTINE,
                        ANOMALY_ONLY)  # fmt: skip
    assert flags["code"].tolist() == fires * ["DEMAND_ANOMALY"]
    if fires:
        message = flags["message"].iloc[0]
        assert words in message
        assert message.startswith("Demand in the last 7 days was")
        assert flags["money_at_stake"].tolist() == [20.0]  # the line's value


def test_demand_anomaly_band_is_tunable_and_switchable() -> None:
    lines, orders = lines_and_orders("A")
    spike = summary(lines, recent_demand=HIGH + 1)  # outside 98%, inside 99.9%
    wide = ANOMALY_ONLY.model_copy(update={"demand_anomaly_band": 0.999})
    assert flag_orders(lines, orders, spike, NO_QUARANTINE, wide).empty
    per_supplier = ANOMALY_ONLY.model_copy(
        update={"overrides": {"supplier:S1": {"demand_anomaly_band": 0.999}}}
    )
    assert flag_orders(lines, orders, spike, NO_QUARANTINE, per_supplier).empty
    off = ANOMALY_ONLY.model_copy(update={"demand_anomaly": False})
    assert flag_orders(lines, orders, spike, NO_QUARANTINE, off).empty


def test_a_lumpy_items_ordinary_lump_is_not_an_anomaly() -> None:
    """Sporadic demand is read from a count distribution with its own wide spread: a lump
    of 12 against a mean of 3 (sd 6) is ordinary; a lump of 60 is not."""
    lines, orders = lines_and_orders("L")
    lumpy = {"demand_class": "lumpy", "recent_expected": 3.0, "recent_std": 6.0}
    ordinary = summary(lines, recent_demand=12.0, **lumpy)
    assert flag_orders(lines, orders, ordinary, NO_QUARANTINE, ANOMALY_ONLY).empty
    huge = summary(lines, recent_demand=60.0, **lumpy)
    assert flag_orders(lines, orders, huge, NO_QUARANTINE, ANOMALY_ONLY)["code"].tolist() == [
        "DEMAND_ANOMALY"
    ]
    # and a slow mover selling nothing for a week is never "below the band"
    quiet = summary(lines, recent_demand=0.0, **lumpy)
    assert flag_orders(lines, orders, quiet, NO_QUARANTINE, ANOMALY_ONLY).empty


def test_a_constant_seller_within_half_a_unit_is_not_flagged() -> None:
    lines, orders = lines_and_orders("C")
    flat = summary(lines, recent_expected=70.0, recent_std=0.0, recent_demand=70.4)
    assert flag_orders(lines, orders, flat, NO_QUARANTINE, ANOMALY_ONLY).empty
    jump = summary(lines, recent_expected=70.0, recent_std=0.0, recent_demand=71.0)
    flags = flag_orders(lines, orders, jump, NO_QUARANTINE, ANOMALY_ONLY)
    assert "was 71 units, above the forecast's 70 units for that time" in flags["message"].iloc[0]


def test_stockout_risk_informs_but_does_not_hold_the_order_by_default() -> None:
    """Holding an order whose shelf already runs empty would only delay it further: the
    order goes out, the warning stays on it for the buyer to expedite."""
    lines, orders = lines_and_orders("A")  # 5 on hand against 20 units of lead-time demand
    rules = ANOMALY_ONLY.model_copy(update={"stockout_risk": True, "demand_anomaly": False})
    flags = flag_orders(lines, orders, summary(lines), NO_QUARANTINE, rules)
    assert flags["code"].tolist() == ["STOCKOUT_RISK"]
    decision = order_decisions(orders, flags, rules).set_index("po_key")
    assert decision["decision"].tolist() == [AUTO_APPROVED]
    assert decision["flag_count"].tolist() == [0]
    holding = rules.model_copy(update={"inform_only": [], "review_min_money_at_stake": 0.0})
    decision = order_decisions(orders, flags, holding)
    assert decision["decision"].tolist() == [PENDING_REVIEW]
    assert decision["flag_codes"].tolist() == ["STOCKOUT_RISK"]


@pytest.mark.parametrize(
    ("newest", "fires"),
    [
        (AS_OF - pd.Timedelta(days=28), True),  # within the last 28 days
        (AS_OF - pd.Timedelta(days=29), False),  # an old bad sale the extract repeats
        (pd.NaT, True),  # a stock row, or a demand row without a readable date
    ],
)
def test_data_quality_ignores_old_quarantined_demand(newest: pd.Timestamp, fires: bool) -> None:
    lines, orders = lines_and_orders("A")
    quarantined = pd.DataFrame({"sku": ["A"], "location": ["WH1"], "reasons": ["BAD_NUMBER"],
                                "newest_demand_date": [newest]})  # fmt: skip
    rules = ANOMALY_ONLY.model_copy(update={"data_quality": True, "demand_anomaly": False})
    flags = flag_orders(lines, orders, summary(lines), quarantined, rules)
    assert flags["code"].tolist() == fires * ["DATA_QUALITY"]


@pytest.mark.parametrize(
    ("money", "sku", "holds"),
    [
        (99.99, "A", False),  # a line flag with little at stake: told, not held
        (100.0, "A", True),
        (5.0, None, True),  # order-level flags always hold
    ],
)
def test_a_line_flag_below_the_money_floor_only_informs(
    money: float, sku: str | None, holds: bool
) -> None:
    flags = pd.DataFrame({"po_key": ["P"], "sku": [sku], "location": ["WH1"],
                          "code": ["NEW_ITEM"], "severity": ["medium"], "message": ["m"],
                          "money_at_stake": [money]})  # fmt: skip
    assert FlagRules().holds(flags).tolist() == [holds]
    orders = pd.DataFrame({"po_key": ["P"]})
    decision = order_decisions(orders, flags, FlagRules())["decision"].tolist()
    assert decision == [PENDING_REVIEW if holds else AUTO_APPROVED]
    everything = FlagRules(review_min_money_at_stake=0.0)
    assert everything.holds(flags).tolist() == [True]


def test_inform_only_refuses_an_unknown_code() -> None:
    with pytest.raises(ValueError, match="inform_only"):
        FlagRules(inform_only=["STOCKOUT_RISKY"])


def test_engine_reports_latest_demand_against_the_forecast_made_before_it() -> None:
    """End to end through the forecast: a steady seller with a bulk buyer in its last days.
    The latest demand is the backtest's last window (28 days), the expectation is what the
    chosen model forecast for it from the history before: the spike is not in it."""
    from forecasting import ForecastParams, forecast_demand

    days = pd.date_range("2023-01-01", "2024-01-04", freq="D")
    rng = np.random.default_rng(3)
    quantity = rng.poisson(10, len(days)).astype(float)
    quantity[-3:] = [60.0, 70.0, 65.0]  # a bulk buyer in the last week
    demand = pd.DataFrame({"sku": "A", "location": "WH1", "date": days, "quantity": quantity,
                           "channel": ""})  # fmt: skip
    items = pd.DataFrame({"sku": ["A", "NEW"], "location": "WH1", "lead_time_days": 7.0})
    result = forecast_demand(demand, items, as_of=AS_OF.date(), params=ForecastParams())
    row = result.summary.set_index("sku")
    assert row.loc["A", "recent_days"] == 28.0
    assert row.loc["A", "recent_demand"] == quantity[-28:].sum()
    assert 230 < row.loc["A", "recent_expected"] < 330  # about 28 x 10, the spike unseen
    assert row.loc["A", "recent_std"] > 0
    assert np.isnan(row.loc["NEW", "recent_demand"])  # never sold: nothing to compare
    # ... and the rule calls the spike what it is
    lines, orders = lines_and_orders("A")
    flags = flag_orders(lines, orders, result.summary, NO_QUARANTINE, ANOMALY_ONLY)
    assert flags["code"].tolist() == ["DEMAND_ANOMALY"]
    assert "above the forecast's range" in flags["message"].iloc[0]
    # the history kept with the forecast: the last 91 days, ending the day before the run
    history = result.history[result.history["sku"] == "A"]
    assert len(history) == 91
    assert history["ds"].max() == pd.Timestamp("2024-01-04")
    assert history["y"].tolist() == quantity[-91:].tolist()


def test_the_band_is_widened_by_how_much_the_fit_understated_earlier_windows() -> None:
    """Smooth series whose earlier window totals missed by 2x the in-sample spread get a
    band twice as wide; a class with too few windows keeps the plain spread."""
    from forecasting.recent import calibrated_spread
    from forecasting.selection import empty_selection

    n = 40
    selection = empty_selection(n, windows=2, window_periods=4)
    selection.chosen[:] = True
    sigma = np.full(n, 1.0)  # sqrt(4) x 1 = 2 per window total
    selection.window_mean[:] = 10.0
    misses = np.where(np.arange(n) % 2 == 0, 4.0, -4.0)  # every earlier miss = 2 spreads
    selection.window_actual[:, 0] = 10.0 + misses
    selection.window_actual[:, 1] = 10.0
    classes = np.array(["smooth"] * (n - 5) + ["lumpy"] * 5, dtype=object)
    spread = calibrated_spread(selection, sigma, classes, min_scores=30)
    assert spread[:35] == pytest.approx(4.0)  # 2 x the plain spread
    assert spread[35:] == pytest.approx(2.0)  # 5 lumpy windows: too few to calibrate on
    # a fit that overstates never narrows the band
    selection.window_actual[:, 0] = 10.0
    assert calibrated_spread(selection, sigma, classes, min_scores=30) == pytest.approx(2.0)
