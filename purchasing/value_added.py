"""What people's changes to the proposals were worth, once the demand that followed is
known: forecast value added (Gilliland) applied to order quantities.

Each line is judged over its protection interval (lead time + review period, from the
order date): the quantity that would have been right is the proposal moved by the
forecast's error over that interval, `ideal = proposed + realised - forecast`, the same
yardstick the monitoring flow uses (`approvals.decision_stats.judge_changes`). A quantity
below it leaves units short, one above it buys excess stock. A person's change helped
when their quantity is closer to the ideal than the proposal was. Pure: frames in, frames
out, vectorised over all lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["sku", "location"]
SCORE_COLUMNS = [
    "known", "known_after", "realised", "ideal", "short_proposed", "short_chosen",
    "excess_value_proposed", "excess_value_chosen", "helped", "hurt", "money_saved",
]  # fmt: skip


def score_lines(
    lines: pd.DataFrame, demand: pd.DataFrame, known_until: pd.Timestamp | None
) -> pd.DataFrame:
    """SCORE_COLUMNS for each row of `lines` (aligned on its index).

    `lines`: sku, location, order_date, protection_days, proposed, chosen (the quantity
    ordered: the person's where they changed it), forecast (demand expected over the
    interval), unit_cost. `demand`: sku, location, date, quantity (one row per day with
    demand; a day without a row had none). `known_until`: the last day the extracts
    cover; a line whose interval ends after it is not known yet (`known` False, its
    figures NaN, `known_after` the day it will be).
    """
    start = pd.to_datetime(lines["order_date"])
    days = np.ceil(lines["protection_days"].astype(float).fillna(0.0)).astype(int).clip(lower=1)
    end = start + pd.to_timedelta(days, unit="D")  # first day after the interval
    out = pd.DataFrame(index=lines.index)
    out["known_after"] = (end - pd.Timedelta(days=1)).dt.date
    out["known"] = (end - pd.Timedelta(days=1)) <= known_until if known_until is not None else False
    out["realised"] = _window_demand(lines.assign(_start=start, _end=end), demand)
    proposed = lines["proposed"].astype(float)
    chosen = lines["chosen"].astype(float)
    cost = lines["unit_cost"].astype(float)
    ideal = (proposed + out["realised"] - lines["forecast"].astype(float)).clip(lower=0.0)
    out["ideal"] = ideal
    out["short_proposed"] = (ideal - proposed).clip(lower=0.0)
    out["short_chosen"] = (ideal - chosen).clip(lower=0.0)
    out["excess_value_proposed"] = (proposed - ideal).clip(lower=0.0) * cost
    out["excess_value_chosen"] = (chosen - ideal).clip(lower=0.0) * cost
    error_proposed = (proposed - ideal).abs()
    error_chosen = (chosen - ideal).abs()
    out["helped"] = error_chosen < error_proposed
    out["hurt"] = error_chosen > error_proposed
    out["money_saved"] = (error_proposed - error_chosen) * cost
    unknown = ~out["known"].astype(bool)
    numeric = [c for c in SCORE_COLUMNS if c not in ("known", "known_after", "helped", "hurt")]
    out.loc[unknown, numeric] = np.nan
    out["helped"] = out["helped"].astype(object).where(~unknown, None)
    out["hurt"] = out["hurt"].astype(object).where(~unknown, None)
    return out[SCORE_COLUMNS]


def _window_demand(lines: pd.DataFrame, demand: pd.DataFrame) -> pd.Series:
    """Units demanded per line over [_start, _end), one merge and one groupby."""
    if demand.empty or lines.empty:
        return pd.Series(0.0, index=lines.index)
    keyed = lines[[*KEYS, "_start", "_end"]].assign(_line=lines.index)
    first = keyed["_start"].min()
    recent = demand[pd.to_datetime(demand["date"]) >= first]
    joined = keyed.merge(recent[[*KEYS, "date", "quantity"]], on=KEYS, how="inner")
    when = pd.to_datetime(joined["date"])
    inside = joined[(when >= joined["_start"]) & (when < joined["_end"])]
    sums = inside.groupby("_line")["quantity"].sum().astype(float)
    return sums.reindex(lines.index, fill_value=0.0)
