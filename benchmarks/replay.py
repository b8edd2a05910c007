"""Replay the ordering policy over many intermittent monthly series with long lead times.

The time it takes was once an assertion in a unit test (`< 30 s`); timings belong here,
where they are printed next to the load of the machine, never in a pass/fail test.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.harness import Options, Report, Row, Step, measure, progress
from purchasing.replay import SeriesTerms
from purchasing.simulation import simulate_terms

FULL_SERIES, QUICK_SERIES = 5_000, 1_000
MONTHS, WINDOW, LEAD, REVIEW = 96, 24, 14, 1


def load(series: int) -> tuple[np.ndarray, SeriesTerms]:
    """Lumpy demand (a 30% chance of 1-19 units a month) and one set of supplier terms."""
    rng = np.random.default_rng(2)
    demand = rng.poisson(0.3, size=(series, MONTHS)) * rng.integers(1, 20, size=(series, MONTHS))
    values = {"lead_std_periods": 0.0, "service_level": 0.95, "unit_cost": 1.0,
              "pack_size": 5.0, "moq": 10.0, "max_qty": np.nan}  # fmt: skip
    terms = SeriesTerms(
        begin=np.full(series, WINDOW, dtype=np.int64),
        lead_periods=np.full(series, LEAD, dtype=np.int64),
        review_periods=np.full(series, REVIEW, dtype=np.int64),
        **{name: np.full(series, value, dtype=float) for name, value in values.items()},
    )
    return demand.astype(float), terms


def run_replay(inputs: tuple[np.ndarray, SeriesTerms]) -> dict[str, Any]:
    demand, terms = inputs
    result = simulate_terms(demand, terms, window=WINDOW, backorder=False)
    return {
        "policy_fill_rate": float(result.policy["fill_rate"]),
        "baseline_fill_rate": float(result.baseline["fill_rate"]),
    }


def benchmark(options: Options) -> Report:
    """The policy and the min/max baseline replayed over every series in one pass."""
    series = QUICK_SERIES if options.quick else FULL_SERIES
    report = Report("replay", f"{series:,} intermittent monthly series, {MONTHS} months", "series")
    progress(f"replay: {series:,} series ...")
    (replayed,) = measure([Step("ours: simulate_terms", load, run_replay, (series,))],
                          options.repeat)  # fmt: skip
    report.rows = [Row(replayed, series)]
    report.facts.append(
        ("fill rate", f"policy {replayed.info['policy_fill_rate']:.3f}, "
                      f"min/max baseline {replayed.info['baseline_fill_rate']:.3f}")
    )  # fmt: skip
    return report
