"""The replay of the ordering policy: known distributions, hand-checked steps, the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cli.main import main
from purchasing import ItemPolicy, PolicyParams
from purchasing.demand_history import demand_history
from purchasing.replay import SeriesTerms, replay
from purchasing.replay_estimates import trailing_estimator
from purchasing.replay_levels import Levels, min_max_baseline_levels, order_up_to_levels
from purchasing.replay_policies import policy_arrays
from purchasing.service_curve import DEFAULT_TARGETS, POINT_KEYS
from purchasing.simulation import FIGURES, simulate_terms


def terms(n: int, *, lead: int, review: int, window: int, **overrides: float) -> SeriesTerms:
    values: dict[str, float] = {
        "lead_std_periods": 0.0, "service_level": 0.95, "unit_cost": 1.0, "pack_size": 1.0,
        "moq": 0.0, "max_qty": np.nan,
    }  # fmt: skip
    values.update(overrides)
    return SeriesTerms(
        begin=np.full(n, window, dtype=np.int64),
        lead_periods=np.full(n, lead, dtype=np.int64),
        review_periods=np.full(n, review, dtype=np.int64),
        **{name: np.full(n, value, dtype=float) for name, value in values.items()},
    )


@pytest.mark.parametrize("backorder", [False, True])
def test_poisson_demand_reaches_the_target_cycle_service_level(backorder: bool) -> None:
    rng = np.random.default_rng(11)
    demand = rng.poisson(5.0, size=(1000, 700)).astype(float)
    result = simulate_terms(
        demand, terms(1000, lead=7, review=7, window=365), window=365, backorder=backorder
    )
    assert result.policy["target_service_level"] == pytest.approx(0.95)
    assert 0.92 <= result.policy["cycle_service_level"] <= 0.98
    # The spreadsheet min/max holds no safety stock: about half its cycles run short.
    assert result.baseline["cycle_service_level"] < 0.8
    assert result.policy["fill_rate"] > result.baseline["fill_rate"]


def test_normal_demand_with_variable_lead_time_reaches_the_target() -> None:
    rng = np.random.default_rng(3)
    demand = np.maximum(rng.normal(20.0, 6.0, size=(1000, 600)).round(), 0.0)
    setup = terms(1000, lead=10, review=5, window=300, lead_std_periods=2.0, service_level=0.9)
    result = simulate_terms(demand, setup, window=300, backorder=True, seed=5)
    assert 0.87 <= result.policy["cycle_service_level"] <= 0.93


def test_constant_demand_step_by_step() -> None:
    """Demand 2 a period, lead 2, review 1, cost 3: the order-up-to level is 6 (no spread).

    t=2 opens with 6 on hand and serves 2 (4 left); t=3 orders 2 (lands t=5) and ends on 2;
    t=4 orders 2 and ends on 0; from then on 2 land and 2 leave every period.
    """
    demand = np.full((1, 10), 2.0)
    setup = terms(1, lead=2, review=1, window=2, unit_cost=3.0)
    result = simulate_terms(demand, setup, window=2, backorder=False)
    policy = result.policy
    assert policy["fill_rate"] == 1.0
    assert policy["stockout_periods"] == 0
    assert policy["orders"] == 7  # t = 3 .. 9
    assert policy["periods"] == 8  # t = 2 .. 9
    assert policy["avg_inventory_value"] == pytest.approx((4 + 2) * 3.0 / 8)
    assert policy["cycle_service_level"] == 1.0


def test_lost_and_backordered_demand() -> None:
    """Demand 1 a period; open with 3, order 3 when the position is at 0; lead 3.

    Lost: t=5 orders (lands t=8), t=5..7 run short, t=8..9 are served from the delivery.
    Backordered: the delivery at t=8 first ships the 3 units owed, so t=8..9 run short too
    and t=8 orders again (the position is back to 0).
    """
    demand = np.ones((1, 10))
    setup = terms(1, lead=3, review=1, window=2, unit_cost=2.0)

    def fixed(rows: np.ndarray, mean: np.ndarray, std: np.ndarray) -> Levels:
        return Levels(reorder=np.zeros(rows.size), up_to=np.full(rows.size, 3.0))

    trailing = trailing_estimator(demand, setup, 2)
    lost = replay(demand, setup, fixed, trailing, backorder=False)
    assert (lost.served[0], lost.stockout_periods[0], lost.orders[0]) == (5.0, 3.0, 1.0)
    assert lost.inventory_value[0] == 2.0 * (2 + 1 + 0 + 0 + 0 + 0 + 2 + 1)
    owed = replay(demand, setup, fixed, trailing, backorder=True)
    assert (owed.served[0], owed.stockout_periods[0], owed.orders[0]) == (3.0, 5.0, 2.0)


def test_order_up_to_levels_hand_checked() -> None:
    # Zero spread: the target is the mean over lead + review, 3 x (4 + 1) = 15.
    levels = order_up_to_levels(
        np.array([3.0]), np.array([0.0]), lead_periods=np.array([4]),
        lead_std_periods=np.array([0.0]), review_periods=np.array([1]),
        service_level=np.array([0.95]),
    )  # fmt: skip
    assert levels.up_to[0] == pytest.approx(15.0)
    # Large mean: the gamma quantile is close to the normal one, mean + 1.645 sd.
    levels = order_up_to_levels(
        np.array([100.0]), np.array([10.0]), lead_periods=np.array([3]),
        lead_std_periods=np.array([0.0]), review_periods=np.array([1]),
        service_level=np.array([0.95]),
    )  # fmt: skip
    assert levels.up_to[0] == pytest.approx(400 + 1.645 * 20, rel=0.01)
    baseline = min_max_baseline_levels(
        np.array([2.0]), lead_periods=np.array([5]), review_periods=np.array([3])
    )
    assert (baseline.reorder[0], baseline.up_to[0]) == (10.0, 16.0)


@pytest.mark.slow  # thousands of series
def test_thousands_of_intermittent_monthly_series_with_long_lead_times() -> None:
    rng = np.random.default_rng(2)
    n, months = 5000, 96
    demand = rng.poisson(0.3, size=(n, months)) * rng.integers(1, 20, size=(n, months))
    setup = terms(n, lead=14, review=1, window=24, pack_size=5.0, moq=10.0)
    # How long it takes is a benchmark (`python -m benchmarks replay`), not a test.
    result = simulate_terms(demand.astype(float), setup, window=24, backorder=False)
    assert result.policy["series"] == n
    assert result.policy["fill_rate"] > result.baseline["fill_rate"]


def test_demand_history_sums_whole_periods_and_drops_the_running_one() -> None:
    keys = pd.DataFrame({"sku": ["A", "B", "C"], "location": ["L", "L", "L"]})
    demand = pd.DataFrame(
        {
            "sku": ["A", "A", "A", "B", "Z"],
            "location": "L",
            "date": pd.to_datetime(
                ["2026-08-03", "2026-08-20", "2026-10-02", "2026-10-30", "2026-09-01"]
            ),
            "quantity": [1.0, 2.0, 4.0, 8.0, 100.0],
        }
    )
    history = demand_history(demand, keys, frequency="M", as_of=date(2026, 11, 25))
    assert [str(p) for p in history.periods] == ["2026-08", "2026-09", "2026-10"]
    assert history.quantity.tolist() == [[3.0, 0.0, 4.0], [0.0, 0.0, 8.0], [0.0, 0.0, 0.0]]
    assert history.first_period.tolist() == [0, 2, 3]


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cli.sample_data import write_sample_data

    folder = tmp_path_factory.mktemp("sample")
    write_sample_data(folder, items=20, seed=1, dirty=0.0, as_of=date(2026, 11, 25))
    return folder


@pytest.mark.slow  # the whole sample catalogue replayed: seconds, not milliseconds
def test_simulate_json_on_sample_data(
    sample_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Trailing estimates keep this test fast; the engine's refits have a test of their own.
    plot = tmp_path / "curve.svg"
    code = main(["simulate", "--source", str(sample_folder), "--as-of", "2026-11-25", "--json",
                 "--estimates", "trailing", "--plot", str(plot)])  # fmt: skip
    assert code == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == {"policy", "baseline", "curve", "curve_dominates", "plot"}
    for side in ("policy", "baseline"):
        assert set(FIGURES) <= set(figures[side])
        points = figures["curve"][side]
        assert [p["service_target"] for p in points] == list(DEFAULT_TARGETS)
        assert all(set(p) == set(POINT_KEYS) for p in points)
        # more service costs more stock, on both curves
        values = [p["avg_inventory_value"] for p in points]
        assert values == sorted(values)
    assert figures["plot"] == str(plot)
    # The saving at equal fill is read at the baseline's 95% point, along the policy's curve.
    at_95 = next(
        row for row in figures["curve"]["savings_at_equal_fill"] if row["service_target"] == 0.95
    )
    assert figures["curve"]["inventory_saving_at_equal_fill"] == at_95["saving"]
    assert at_95["saving"] == pytest.approx(
        1 - at_95["policy_inventory"] / at_95["baseline_inventory"]
    )
    svg = plot.read_text()
    assert svg.startswith("<svg")
    assert svg.count("<polyline") == 2
    policy, baseline = figures["policy"], figures["baseline"]
    assert policy["series"] > 0
    # What the policy is for, on the sample: it meets its cycle service target (within
    # two points) and fills more of the demand than the min/max spreadsheet does.
    assert policy["cycle_service_level"] >= policy["target_service_level"] - 0.02
    assert baseline["cycle_service_level"] < policy["target_service_level"] - 0.1
    assert policy["fill_rate"] > baseline["fill_rate"]


@pytest.mark.slow  # the whole sample catalogue replayed
def test_simulate_table_on_sample_data(
    sample_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot = tmp_path / "curve.svg"
    argv = ["simulate", "--source", str(sample_folder), "--as-of", "2026-11-25",
            "--estimates", "trailing", "--plot", str(plot)]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "min/max baseline" in out
    assert "cycle service level" in out
    assert f"drawn to {plot}" in out


def test_simulate_missing_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", "--source", str(tmp_path / "nope")]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_simulate_unreadable_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", "--source", str(tmp_path)]) == 2  # empty: no items.csv
    captured = capsys.readouterr()
    assert captured.err.startswith("replenish: error:")
    assert captured.err.count("\n") == 1


def test_lead_time_under_half_a_period_lands_before_the_demand() -> None:
    """Monthly periods, a 10-day lead time: 0 periods. Each order covers one review."""
    demand = np.full((1, 12), 2.0)
    result = simulate_terms(demand, terms(1, lead=0, review=1, window=2), window=2, backorder=False)
    assert result.policy["fill_rate"] == 1.0
    assert result.policy["orders"] == 9  # t = 3 .. 11; t = 2 opens with the target stock


def test_configured_min_max_policy_is_replayed() -> None:
    """Demand 2 a period, lead 0, min 3, max 9: opens with 9 and ends periods on 7, 5, 3;
    at 3 (<= min) it orders 6, which lands at once: 7, 5, 3 again. Orders at t=5 and t=8."""
    params = PolicyParams(item_policies={"A": ItemPolicy(kind="min_max", min_qty=3, max_qty=9)})
    policies = policy_arrays(pd.DataFrame({"sku": ["A"], "category": [""]}), params)
    demand = np.full((1, 10), 2.0)
    setup = terms(1, lead=0, review=1, window=2)
    result = simulate_terms(demand, setup, window=2, backorder=False, policies=policies)
    assert result.policy["orders"] == 2
    assert result.policy["avg_inventory_value"] == pytest.approx(42 / 8)
    assert result.policy["fill_rate"] == 1.0


def test_reorder_point_policy_is_replayed_as_reorder_point_plus_one_batch() -> None:
    """Poisson demand of 5, lead 7, review 1: batches of 100 at the 95% reorder point mean
    fewer, larger orders and more stock than order-up-to, at no lower service."""
    rng = np.random.default_rng(4)
    demand = rng.poisson(5.0, size=(200, 500)).astype(float)
    batch = ItemPolicy(kind="reorder_point", order_quantity="fixed", fixed_quantity=100)
    keys = pd.DataFrame({"sku": [f"S{i}" for i in range(200)], "category": "Batch"})
    policies = policy_arrays(keys, PolicyParams(category_policies={"Batch": batch}))
    setup = terms(200, lead=7, review=1, window=200)
    plain = simulate_terms(demand, setup, window=200, backorder=True).policy
    batched = simulate_terms(demand, setup, window=200, backorder=True, policies=policies).policy
    assert batched["orders"] < plain["orders"] / 10
    assert batched["avg_inventory_value"] > plain["avg_inventory_value"]
    assert batched["cycle_service_level"] >= 0.92


def test_a_one_off_bulk_order_is_not_asked_of_the_shelf() -> None:
    """The replay asks the shelf for ordinary demand only, as the forecast stocks for it:
    a period above 20x the median sale counts as one ordinary sale (the rest is a special
    order); series with too few sales to tell are left alone."""
    from purchasing.demand_history import without_one_offs

    regular = np.array([[0, 3, 0, 2, 4, 3, 0, 3000, 2, 3.0]])
    few = np.array([[0, 0, 900, 0, 0, 1, 0, 0, 0, 0.0]])
    ordinary = without_one_offs(np.vstack([regular, few]), factor=20.0, min_sales=5)
    assert ordinary[0].tolist() == [0, 3, 0, 2, 4, 3, 0, 3, 2, 3]
    assert ordinary[1].tolist() == few[0].tolist()
    assert without_one_offs(regular, factor=0.0, min_sales=5) is regular


def test_an_observer_sees_every_period_and_changes_nothing() -> None:
    """`replay(observe=...)` (the business case's view of each night) leaves the tallies
    as they were, and its per-period figures add up to them."""
    rng = np.random.default_rng(5)
    demand = rng.poisson(3.0, size=(40, 120)).astype(float)
    setup = terms(40, lead=3, review=7, window=28, unit_cost=2.0)
    estimate = trailing_estimator(demand, setup, 28)

    def rule(rows: np.ndarray, mean: np.ndarray, std: np.ndarray) -> Levels:
        return min_max_baseline_levels(mean, lead_periods=setup.lead_periods[rows],
                                       review_periods=setup.review_periods[rows])  # fmt: skip

    steps: list[tuple[int, int, float, float, float]] = []

    def observe(step: Any) -> None:
        steps.append((step.t, step.rows.size, float(step.qty.sum()),
                      float(step.served.sum()), float(step.stock_value.sum())))  # fmt: skip

    plain = replay(demand, setup, rule, estimate, backorder=False)
    seen = replay(demand, setup, rule, estimate, backorder=False, observe=observe)
    for name in ("demand", "served", "inventory_value", "orders", "stockout_periods"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(seen, name))
    assert [t for t, *_ in steps] == list(range(28, 120))
    assert sum(s[3] for s in steps) == pytest.approx(float(plain.served.sum()))
    assert sum(s[4] for s in steps) == pytest.approx(float(plain.inventory_value.sum()))
    reviewed = [s for s in steps if s[1]]
    assert [t for t, *_ in reviewed] == list(range(28, 120, 7))  # weekly reviews
