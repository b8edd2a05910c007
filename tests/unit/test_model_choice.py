"""Model choice by backtest: the pick rule on known scores, and the engine's choices."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import AutoETS, HistoricAverage

from forecasting import ForecastParams, forecast_demand
from forecasting import engine as engine_module
from forecasting.conformal import conformal_quantile
from forecasting.models import Candidate
from forecasting.selection import empty_selection, pick_candidates

A = Candidate("Simple", HistoricAverage, 1)
B = Candidate("Middle", HistoricAverage, 1)
C = Candidate("Complex", HistoricAverage, 1)
NAN = np.nan

PICK_CASES = {
    # name: (mse per candidate, rmsse, mase per candidate, expected choice or None)
    "lowest_error_wins": ([4.0, 1.0, 2.0], [2.0, 1.0, 1.4], [1.0, 1.0, 1.0], "Middle"),
    "tie_goes_to_simpler": ([1.03, 1.0, 1.0], [1.01, 1.0, 1.0], [1.0, 1.0, 1.0], "Simple"),
    "failed_candidate_skipped": ([NAN, 2.0, 1.0], [NAN, 1.4, 1.0], [NAN, 1.0, 1.0], "Complex"),
    # MASE prefers "Simple" (say, a forecast near zero); RMSSE decides.
    "mase_does_not_decide": ([9.0, 4.0, 5.0], [3.0, 2.0, 2.2], [0.5, 0.9, 0.9], "Middle"),
    "all_failed_keeps_chain": ([NAN, NAN, NAN], [NAN] * 3, [NAN] * 3, None),
}


@pytest.mark.parametrize("name", list(PICK_CASES))
def test_pick_candidates(name: str) -> None:
    mse, rmsse, mase, expected = PICK_CASES[name]
    scores = np.array([mse, rmsse, mase, [0.1, 0.2, 0.3]], dtype=float)[:, None, :]
    out = empty_selection(3)
    pick_candidates(out, np.array([1]), (A, B, C), scores, margin=0.02)
    assert out.chosen.tolist() == [False, expected is not None, False]
    chosen = [c.name for c, rows in out.groups if 1 in rows]
    assert chosen == ([expected] if expected else [])
    if expected:
        position = [A.name, B.name, C.name].index(expected)
        assert out.rmsse[1] == rmsse[position]
        assert json.loads(out.candidates[1])[expected] == pytest.approx(rmsse[position], abs=1e-3)
    else:
        assert out.candidates[1] is None


START = pd.Timestamp("2024-01-01")
AS_OF = date(2025, 2, 4)  # START + 400 days
PARAMS = ForecastParams(frequency="D", min_history_periods=56, dormant_periods=91)


def _frames(series: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    days = START + pd.to_timedelta(np.arange(400), unit="D")
    demand = pd.concat(
        [
            pd.DataFrame({"sku": sku, "location": "L", "date": days, "quantity": y})
            for sku, y in series.items()
        ],
        ignore_index=True,
    )
    demand = demand.loc[demand["quantity"] != 0]
    items = pd.DataFrame({"sku": list(series), "location": "L", "lead_time_days": 7.0})
    return demand, items


def test_engine_records_choice_and_candidates() -> None:
    rng = np.random.default_rng(8)
    weekly = np.tile([20.0, 22, 25, 30, 60, 80, 10], 58)[:400] + rng.normal(0, 1, 400)
    demand, items = _frames(
        {
            "SEASONAL": np.round(weekly),
            "CONSTANT": np.full(400, 5.0),
            "SPARSE": rng.poisson(0.3, 400).astype(float),
        }
    )
    summary = forecast_demand(demand, items, as_of=AS_OF, params=PARAMS).summary.set_index("sku")
    seasonal = summary.loc["SEASONAL"]
    assert seasonal["model"] in {"SeasonalNaive(7)", "AutoETS(ANA,7)"}
    # Seasonal naive's in-sample error is the difference of two noises (sqrt 2 sigma):
    # a model that only misses by the noise scores about 0.71.
    assert seasonal["backtest_rmsse"] < 0.8
    candidates = json.loads(seasonal["candidates"])
    assert list(candidates) == ["SeasonalNaive(7)", "AutoETS(ANA,7)", "MSTL(7,365)"]
    assert candidates["MSTL(7,365)"] is None  # 400 days: too short for two yearly cycles
    # Every candidate is exact on a constant series: the tie goes to the simplest.
    assert summary.loc["CONSTANT", "model"] == "SeasonalNaive(7)"
    assert np.isnan(summary.loc["CONSTANT", "backtest_rmsse"])  # no naive error to scale by
    sparse = json.loads(summary.loc["SPARSE", "candidates"])
    assert set(sparse) == {"CrostonSBA", "TSB(0.1,0.1)", "ADIDA", "IMAPA"}
    assert summary.loc["SPARSE", "model"] in sparse
    assert np.isfinite(summary.loc["SPARSE", "bias"])


def test_failing_candidate_is_recorded_and_not_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    # Multiplicative-error ETS refuses series containing zeros: a real failure.
    failing = Candidate("AutoETS(MNN)", lambda: AutoETS(model="MNN"), 1)
    mean = Candidate("HistoricAverage", HistoricAverage, 1)
    chains = {"continuous": (failing, mean), "sporadic": (failing, mean)}
    monkeypatch.setattr(
        engine_module, "selection_candidates", lambda frequency, which="fast": chains
    )
    history = np.random.default_rng(3).poisson(5, 400).astype(float)
    history[::3] = 0.0
    demand, items = _frames({"A": history})
    row = forecast_demand(demand, items, as_of=AS_OF, params=PARAMS).summary.iloc[0]
    assert row["model"] == "HistoricAverage"
    assert json.loads(row["candidates"])["AutoETS(MNN)"] is None


def test_choice_can_be_turned_off() -> None:
    demand, items = _frames({"A": np.random.default_rng(4).poisson(6, 400).astype(float)})
    params = PARAMS.model_copy(update={"choose_by_backtest": False})
    row = forecast_demand(demand, items, as_of=AS_OF, params=params).summary.iloc[0]
    assert row["model"] == "AutoETS(ANA,7)"  # the chain's first model
    assert row["candidates"] is None
    assert np.isnan(row["backtest_rmsse"])


def test_conformal_quantile_known_answer() -> None:
    n = 9
    selection = empty_selection(n + 2, windows=1, window_periods=4)
    selection.chosen[:] = True
    # Scores (actual - forecast) / (sigma * sqrt(4)) = 1..9 for the smooth rows.
    selection.window_actual[:n, 0] = 2.0 * np.arange(1, n + 1)
    selection.window_mean[:n, 0] = 0.0
    classes = np.array(["smooth"] * n + ["lumpy"] * 2, dtype=object)
    quantile = conformal_quantile(
        parametric=np.full(n + 2, -1.0),
        demand_mean=np.full(n + 2, 10.0),
        demand_std=np.full(n + 2, 1.0),
        service_level=np.r_[np.full(n - 1, 0.9), 0.5, 0.9, 0.9],
        demand_class=classes,
        sigma=np.ones(n + 2),
        selection=selection,
        min_scores=5,
    )
    # 0.9: rank ceil(10 * 0.9) = 9 -> score 9; 0.5: rank 5 -> score 5.
    assert quantile[: n - 1].tolist() == [19.0] * (n - 1)
    assert quantile[n - 1] == 15.0
    assert quantile[n:].tolist() == [-1.0, -1.0]  # too few lumpy scores: parametric kept


def test_conformal_quantile_covers_simulated_lumpy_demand() -> None:
    """Compound demand (a sale on 8-30% of days, geometric sizes of mean 3-12): the
    conformal 90% quantile of 14-day demand covers about 90% of fresh totals.

    200 series x 300 draws; the band allows for each series' estimation error.
    """
    rng = np.random.default_rng(31)
    n, days = 200, 400
    chance, size = rng.uniform(0.08, 0.3, n), rng.uniform(3, 12, n)

    def draw(periods: int) -> np.ndarray:
        shape = (n, periods)
        return (rng.random(shape) < chance[:, None]) * rng.negative_binomial(
            1, 1 / size[:, None], shape
        )

    history = draw(days).astype(float)
    demand, _ = _frames({f"S{i}": history[i] for i in range(n)})
    items = pd.DataFrame(
        {"sku": [f"S{i}" for i in range(n)], "location": "L", "lead_time_days": 7.0}
    ).assign(service_level=0.9)
    params = PARAMS.model_copy(update={"sum_quantile": "conformal"})
    summary = forecast_demand(demand, items, as_of=AS_OF, params=params).summary.set_index("sku")
    quantile = summary.loc[[f"S{i}" for i in range(n)], "demand_quantile"].to_numpy()
    fresh = np.stack([draw(14).sum(axis=1) for _ in range(300)], axis=1)
    coverage = (fresh <= quantile[:, None]).mean()
    assert 0.85 <= coverage <= 0.95, coverage
