"""Forecasts against the demand that then happened, and drift per segment (pure).

Each stored forecast (an origin: the first period it forecast, a series, its per-period
path, the history it was fitted on) is scored on the first `horizon` periods whose
demand is now known: MASE and RMSSE scaled by the series' own in-sample seasonal-naive
error (as the backtest does), the signed error for bias, and whether the demand over the
protection interval stayed below the quantile the order was sized to (coverage, to be
read against the service level).

Drift is a segment (demand class, supplier, category) doing worse lately than its own
trailing baseline: a segment is only compared with itself, so an intermittent class
that is always hard does not alarm every night, and a category whose demand just
shifted does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

SERIES = ["sku", "location"]
SEGMENT_KINDS = ("demand_class", "supplier_id", "category")
FORECAST_COLUMNS = [
    "origin",
    *SERIES,
    *SEGMENT_KINDS,
    "path",
    "history",
    "demand_quantile",
    "protection_periods",
    "service_level",
]
SCORE_COLUMNS = [
    "origin",
    *SERIES,
    *SEGMENT_KINDS,
    "periods",
    "mase",
    "rmsse",
    "forecast_sum",
    "actual_sum",
    "covered",
    "service_level",
]


#: Day 0 of the period numbers: a night's origin is the period its date falls in.
EPOCH = date(1970, 1, 1)


def period_number(dates: pd.Series, days_per_period: float) -> pd.Series:
    """The period each date falls in, counted from `EPOCH`: stored nights (and the nights
    orders were planned from) as the integer origins the scores compare."""
    days = (pd.to_datetime(dates) - pd.Timestamp(EPOCH)).dt.days
    return np.floor(days / days_per_period).astype(int)


@dataclass(frozen=True)
class DriftRules:
    """When a segment's recent accuracy counts as drift (thresholds are strict)."""

    horizon: int = 7  # periods after each origin that are scored
    season: int = 7  # seasonal-naive lag of the scale (7 for daily data)
    recent_origins: int = 7  # the latest origins: "lately"
    baseline_origins: int = 28  # the origins before them: the segment's own baseline
    rmsse_ratio: float = 1.5  # recent RMSSE above baseline x this is drift
    bias_shift: float = 0.25  # recent bias minus baseline bias beyond +-this is drift
    min_series: int = 3  # fewer series than this in the segment: never drift


def score_forecasts(
    forecasts: pd.DataFrame, actuals: pd.DataFrame, horizon: int, season: int
) -> pd.DataFrame:
    """One row per forecast (origin, series) with at least one known period.

    `forecasts`: FORECAST_COLUMNS, `origin` and periods as integers (period numbers);
    `path[i]` forecasts period origin+i, `history[-1]` is period origin-1.
    `actuals`: sku, location, period, y (the demand as sold).
    """
    if forecasts.empty or actuals.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    keyed = forecasts.reset_index(drop=True).rename_axis("forecast").reset_index()
    path = keyed[["forecast", *SERIES, "origin", "path"]].explode("path", ignore_index=True)
    path["step"] = path.groupby("forecast").cumcount()
    path["period"] = path["origin"] + path["step"]
    path = path.rename(columns={"path": "f"}).astype({"f": float})
    known = path.merge(actuals[[*SERIES, "period", "y"]], on=[*SERIES, "period"], how="inner")
    window = known[known["step"] < horizon].assign(
        error=lambda d: d["f"] - d["y"],
    )
    errors = window.groupby("forecast").agg(
        periods=("error", "size"),
        mae=("error", lambda e: float(np.abs(e).mean())),
        mse=("error", lambda e: float(np.square(e).mean())),
        forecast_sum=("f", "sum"),
        actual_sum=("y", "sum"),
    )
    scale = _naive_scale(keyed, season)
    scored = keyed.join(errors, on="forecast", how="inner").join(scale, on="forecast")
    scored["mase"] = scored["mae"] / scored["scale_mae"].where(scored["scale_mae"] > 0)
    scored["rmsse"] = np.sqrt(scored["mse"] / scored["scale_mse"].where(scored["scale_mse"] > 0))
    scored["covered"] = _covered(keyed, known).reindex(scored["forecast"]).to_numpy()
    return scored[SCORE_COLUMNS].reset_index(drop=True)


def _naive_scale(keyed: pd.DataFrame, season: int) -> pd.DataFrame:
    """In-sample seasonal-naive MAE and MSE of each forecast's own history."""
    history = keyed[["forecast", "history"]].explode("history", ignore_index=True)
    history["y"] = history["history"].astype(float)
    lag = season if season > 0 else 1
    diff = history["y"] - history.groupby("forecast")["y"].shift(lag)
    history = history.assign(abs_diff=diff.abs(), sq_diff=diff**2)
    return history.groupby("forecast").agg(
        scale_mae=("abs_diff", "mean"), scale_mse=("sq_diff", "mean")
    )


def _covered(keyed: pd.DataFrame, known: pd.DataFrame) -> pd.Series:
    """Demand over the whole protection interval at or below the quantile ordered to
    (NaN while the interval is not fully known yet)."""
    span = np.ceil(keyed.set_index("forecast")["protection_periods"].astype(float))
    within = known[known["step"] < known["forecast"].map(span)]
    total = within.groupby("forecast").agg(n=("y", "size"), demand=("y", "sum"))
    complete = total["n"] >= span.reindex(total.index)
    quantile = keyed.set_index("forecast")["demand_quantile"].reindex(total.index)
    return (total["demand"] <= quantile).where(complete).astype(float)


def segment_metrics(scores: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Per segment of `kind`: series, mean MASE and RMSSE, bias (forecast minus demand
    over demand: > 0 over-forecasts), coverage and the service level it aimed for."""
    keyed = scores.assign(series_key=scores["sku"] + "\x1f" + scores["location"])
    grouped = keyed.groupby(kind, dropna=False)
    table = grouped.agg(
        series=("series_key", "nunique"),
        forecasts=("series_key", "size"),
        mase=("mase", "mean"),
        rmsse=("rmsse", "mean"),
        forecast_sum=("forecast_sum", "sum"),
        actual_sum=("actual_sum", "sum"),
        coverage=("covered", "mean"),
        target=("service_level", "mean"),
    )
    table["bias"] = (table["forecast_sum"] - table["actual_sum"]) / table["actual_sum"].where(
        table["actual_sum"] > 0
    )
    table = table.drop(columns=["forecast_sum", "actual_sum"]).reset_index()
    return table.rename(columns={kind: "segment"}).assign(kind=kind)


def drift(scores: pd.DataFrame, rules: DriftRules) -> pd.DataFrame:
    """Every segment of every kind, recent figures beside its own baseline, and whether
    that is drift (`drift`, with the sentence why in `reason`)."""
    columns = [
        "kind",
        "segment",
        "series",
        "forecasts",
        "mase",
        "rmsse",
        "bias",
        "coverage",
        "target",
    ]
    if scores.empty:
        return pd.DataFrame(columns=[*columns, "baseline_rmsse", "baseline_bias", "drift"])
    origins = np.sort(scores["origin"].unique())
    recent = origins[-rules.recent_origins :]
    before = origins[: -rules.recent_origins][-rules.baseline_origins :]
    parts = []
    for kind in SEGMENT_KINDS:
        now = segment_metrics(scores[scores["origin"].isin(recent)], kind)
        base = segment_metrics(scores[scores["origin"].isin(before)], kind)
        base = base.set_index("segment")[["rmsse", "bias"]].add_prefix("baseline_")
        parts.append(now.join(base, on="segment"))
    table = pd.concat(parts, ignore_index=True)
    worse = table["rmsse"] > rules.rmsse_ratio * table["baseline_rmsse"]
    shifted = (table["bias"] - table["baseline_bias"]).abs() > rules.bias_shift
    enough = (table["series"] >= rules.min_series) & table["baseline_rmsse"].notna()
    table["drift"] = enough & (worse | shifted)
    table["reason"] = ""
    flagged = table["drift"].to_numpy(dtype=bool)
    if flagged.any():
        table.loc[flagged, "reason"] = table.loc[flagged].apply(_reason, axis=1)
    return table


def _reason(row: pd.Series) -> str:
    """The sentence of a drift alert, naming the segment (one row per drifting segment)."""
    return (
        f"{row['kind']} '{row['segment']}': RMSSE {row['rmsse']:.2f} against its baseline "
        f"{row['baseline_rmsse']:.2f}, bias {row['bias']:+.0%} against {row['baseline_bias']:+.0%}"
    )


def drift_headline(table: pd.DataFrame) -> str:
    """What the drift report says, told apart: drift, none, or nothing to judge yet.

    "No segment drifted" is only true of segments that were scored against a baseline:
    before any stored forecast has later demand (the first nights, an empty database)
    nothing was scored, and before the baseline nights have passed nothing can drift.
    """
    if table.empty:
        return (
            "Nothing scored yet: no stored forecast has demand after it to be compared "
            "with, so drift cannot be told."
        )
    drifting = [str(r) for r in table.loc[table["drift"].astype(bool), "reason"]]
    if drifting:
        return "\n".join(f"- {reason}" for reason in drifting)
    if table["baseline_rmsse"].isna().all():
        return (
            f"{len(table)} segments scored, none yet against a baseline of earlier nights, "
            "so drift cannot be told."
        )
    return "No segment drifted."
