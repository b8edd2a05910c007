"""Combinations as candidates, the budgeted candidate set, and the quantile of sums read
from out-of-sample errors (never from the in-sample fit)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from statsforecast.models import HistoricAverage, Naive

from forecasting import ForecastParams
from forecasting.candidates import candidate_set, selection_candidates
from forecasting.combination import Combination
from forecasting.interval import (
    GROWTH_COMBINATION,
    GROWTH_SINGLE,
    growth_exponents,
    out_of_sample_quantile,
    scaled_quantile,
)
from forecasting.models import Candidate
from forecasting.selection import combined, empty_selection, pick_candidates


class Raises(HistoricAverage):
    def forecast(self, y: np.ndarray, h: int, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError("tiny dataset")


class Infinite(HistoricAverage):
    def forecast(self, y: np.ndarray, h: int, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"mean": np.full(h, np.inf), "fitted": np.full(len(y), np.inf)}


Y = np.array([1.0, 2.0, 3.0, 4.0, 10.0])


def test_combination_is_the_mean_or_median_of_its_members() -> None:
    members = (HistoricAverage, Naive, HistoricAverage)  # forecasts 4, 10, 4
    mean = Combination(members, how="mean").forecast(Y, 3, fitted=True)
    assert mean["mean"] == pytest.approx([6.0] * 3)
    assert len(mean["fitted"]) == len(Y)
    assert Combination(members, how="median").forecast(Y, 2)["mean"] == pytest.approx([4.0] * 2)


def test_a_failing_member_is_left_out_and_all_failing_raises() -> None:
    result = Combination((Raises, Naive, Infinite), how="mean").forecast(Y, 2)
    assert result["mean"] == pytest.approx([10.0, 10.0])
    with pytest.raises(ValueError, match="every member"):
        Combination((Raises, Infinite)).forecast(Y, 2)


def test_backtest_combination_leaves_failed_members_out() -> None:
    a = np.array([[1.0, 2.0], [np.nan, np.nan]])
    b = np.array([[3.0, 4.0], [5.0, np.nan]])
    assert combined([a, b], "mean").tolist()[0] == [2.0, 3.0]
    assert combined([a, b], "mean")[1, 0] == 5.0
    assert np.isnan(combined([a, b], "median")[1, 1])


def test_pooled_choice_takes_the_combination_within_the_margin() -> None:
    single = Candidate("Single", HistoricAverage, 1)
    other = Candidate("Other", Naive, 1)
    combo = Candidate("Mean", HistoricAverage, 1, members=("Single", "Other"), how="mean")
    chain = (single, other, combo)
    # Per series the single models win some rows; over the class the mean is best.
    mse = np.array([[1.0, 4.0, 1.5], [4.0, 1.0, 1.5], [9.0, 9.0, 2.0]])
    scores = np.stack([mse, np.sqrt(mse), np.sqrt(mse), np.zeros_like(mse)])
    out = empty_selection(3)
    pick_candidates(out, np.arange(3), chain, scores, margin=0.02)
    assert [(c.name, rows.tolist()) for c, rows in out.groups] == [("Mean", [0, 1, 2])]


def test_pooled_choice_keeps_a_clearly_better_single_model() -> None:
    single = Candidate("Single", HistoricAverage, 1)
    combo = Candidate("Mean", HistoricAverage, 1, members=("Single",), how="mean")
    mse = np.array([[1.0, 4.0], [1.0, 4.0]])
    scores = np.stack([mse, np.sqrt(mse), np.sqrt(mse), np.zeros_like(mse)])
    out = empty_selection(2)
    pick_candidates(out, np.arange(2), (single, combo), scores, margin=0.02)
    assert [(c.name, rows.tolist()) for c, rows in out.groups] == [("Single", [0, 1])]


@pytest.mark.parametrize(
    ("frequency", "series", "history", "budget", "expected"),
    [
        ("M", 1428, 100, 1800.0, "full"),  # M3 monthly: about 260 CPU-s
        ("M", 100_000, 100, 1800.0, "fast"),  # over the budget
        ("W", 500, 104, 1800.0, "full"),
        ("D", 280, 1913, 1800.0, "full"),  # M5: five years of days
        ("D", 280, 730, 1800.0, "fast"),  # two years: the searches did not pay
        ("D", 50_000, 1913, 1800.0, "fast"),  # a long daily catalogue
    ],
)
def test_candidate_set_by_frequency_history_and_budget(
    frequency: Any, series: int, history: float, budget: float, expected: str
) -> None:
    params = ForecastParams(frequency=frequency, compute_budget_s=budget)
    assert candidate_set(frequency, series, params, history) == expected
    forced = params.model_copy(update={"candidate_set": "fast"})
    assert candidate_set(frequency, series, forced, history) == "fast"


def test_full_set_has_the_searches_and_their_combinations() -> None:
    sets = selection_candidates("M", "full")
    names = [c.name for c in sets["continuous"]]
    assert names[1:] == ["AutoETS(12)", "AutoTheta(12)", "AutoCES(12)", "DOTheta(12)",
                         "Mean(ETS,Theta,CES,DOTheta)"]  # fmt: skip
    assert sets["continuous"][-1].members == tuple(names[1:5])
    assert sets["sporadic"][-1].members == ("CrostonSBA", "TSB(0.1,0.1)", "ADIDA", "IMAPA")


def test_scaled_quantile_reads_the_step_and_grows_beyond_the_window() -> None:
    # 99 scores per step; step k's scores are k * (1..99), so the 0.9 quantile is 90k.
    base = np.arange(1, 100, dtype=float)
    pool = np.stack([base * k for k in (1, 2, 3, 4)], axis=1)
    within = scaled_quantile(pool, 0.9, np.array([1.0, 2.5, 4.0]), np.full(3, 1.25))
    assert within == pytest.approx([90, 270, 360])
    # Beyond 4 steps: the last step's quantile grows as (P/4)^g with the row's own g,
    # whatever growth the window itself shows (it did not predict the growth beyond it).
    longer = scaled_quantile(pool, 0.9, np.array([8.0, 8.0]), np.array([1.25, 1.5]))
    assert longer == pytest.approx([360 * 2**1.25, 360 * 2**1.5])


def test_a_single_model_grows_its_spread_faster_than_a_combination() -> None:
    combination, single = selection_candidates("M", "full")["continuous"][-1:-3:-1]
    assert combination.members
    assert not single.members
    groups = [(combination, np.array([0, 2])), (single, np.array([1]))]
    selection = replace(empty_selection(4, windows=1, window_periods=2), groups=groups)
    growth = growth_exponents(selection)
    assert growth[[0, 2]].tolist() == [GROWTH_COMBINATION] * 2
    assert growth[1] == GROWTH_SINGLE > GROWTH_COMBINATION
    assert growth[3] == GROWTH_SINGLE  # no choice: never reads a pool, any value will do


def test_out_of_sample_quantile_ignores_the_in_sample_fit() -> None:
    n = 60
    selection = empty_selection(n, windows=1, window_periods=2)
    selection.chosen[:] = True
    selection.scale[:] = 2.0
    errors = np.linspace(-1.0, 1.0, n)  # scaled errors of the 2-period sum
    selection.cum_error[:, 0, 0] = errors
    selection.cum_error[:, 0, 1] = 2.0 * errors
    mean = np.full(n, 100.0)
    quantile = out_of_sample_quantile(
        np.full(n, 3e7),  # what an exploded fit gave
        mean, mean / 2, np.full(n, 2.0), np.zeros(n), np.full(n, 0.9),
        np.full(n, "smooth", dtype=object), selection, min_scores=30,
    )  # fmt: skip
    rank = int(np.ceil((n + 1) * 0.9)) - 1
    # the 2-step error (2 x errors) over the scale (2), times the scale again
    assert quantile == pytest.approx(100.0 + 2.0 * np.sort(errors)[rank])
