"""Sentences a line's explanation gains from how its forecast was made: spikes capped,
out-of-stock periods re-estimated, a sporadic item read from its own interval totals.

Each says why the quantity differs from what the sales history alone suggests, in the
words a buyer comparing the two would look for.
"""

from __future__ import annotations

import pandas as pd

from forecasting.sporadic import OWN_TOTALS
from purchasing.explanation import quantity_text
from purchasing.position import KEYS


def note_forecast(lines: pd.DataFrame, forecast_summary: pd.DataFrame) -> None:
    """Append the forecast's sentences to the lines' explanations (in place)."""
    _capped_spikes(lines, forecast_summary)
    _censored_stockouts(lines, forecast_summary)
    _own_totals(lines, forecast_summary)


def _capped_spikes(lines: pd.DataFrame, forecast_summary: pd.DataFrame) -> None:
    """Say so on the line when one-off spikes were capped before its forecast (in place):
    a buyer comparing the quantity with last month's big sale must see why it is lower."""
    if not {"capped_periods", "demand_cap"} <= set(forecast_summary.columns):
        return
    capped = lines[KEYS].merge(
        forecast_summary[[*KEYS, "capped_periods", "demand_cap"]], on=KEYS, how="left"
    )
    count = capped["capped_periods"].fillna(0).to_numpy(dtype=float)
    hit = count > 0
    if not hit.any():
        return
    periods = pd.Series(quantity_text(pd.Series(count[hit])), dtype=object)
    cap = pd.Series(quantity_text(capped["demand_cap"].to_numpy(dtype=float)[hit]), dtype=object)
    text = (
        " " + periods + " period(s) of unusually large demand (a project or bulk order) were "
        "counted as " + cap + " units, the cap for one-off spikes, so that a one-off does "
        "not set the stock level."
    )  # fmt: skip
    lines.loc[hit, "explanation"] = lines.loc[hit, "explanation"].astype(str) + text.to_numpy()


def _censored_stockouts(lines: pd.DataFrame, forecast_summary: pd.DataFrame) -> None:
    """Say so on the line when out-of-stock periods were re-estimated (in place): the
    buyer sees why the quantity is above what the sales history alone suggests."""
    if "censored_periods" not in forecast_summary.columns:
        return
    joined = lines[KEYS].merge(forecast_summary[[*KEYS, "censored_periods"]], on=KEYS, how="left")
    count = joined["censored_periods"].fillna(0).to_numpy(dtype=float)
    hit = count > 0
    if not hit.any():
        return
    periods = pd.Series(quantity_text(pd.Series(count[hit])), dtype=object)
    text = (
        " " + periods + " period(s) with no sales while out of stock were not read as zero "
        "demand: they were re-estimated from the demand around them before forecasting."
    )  # fmt: skip
    lines.loc[hit, "explanation"] = lines.loc[hit, "explanation"].astype(str) + text.to_numpy()


def _own_totals(lines: pd.DataFrame, forecast_summary: pd.DataFrame) -> None:
    """Say so when a sporadic item's demand was read from its own interval totals (in
    place): the safety stock follows how its sales bunched, not a smooth curve."""
    if "spread_basis" not in forecast_summary.columns:
        return
    joined = lines[KEYS].merge(forecast_summary[[*KEYS, "spread_basis"]], on=KEYS, how="left")
    hit = (joined["spread_basis"] == OWN_TOTALS).to_numpy()
    if not hit.any():
        return
    days = (lines["lead_time_days"] + lines["review_period_days"]).to_numpy()[hit]
    span = pd.Series(quantity_text(pd.Series(days)), dtype=object)
    text = (
        " Its sales come in bursts, so the demand over " + span + " days and its spread are "
        "read from its own " + span + "-day totals in its recent history, one-off bulk orders "
        "left out."
    )  # fmt: skip
    # The number a buyer checks a large safety stock against: the most it ever sold in
    # as many days (the precedent UNPRECEDENTED_STOCK holds a line above).
    if "precedent" in lines.columns:
        known = pd.to_numeric(lines["precedent"], errors="coerce").to_numpy(dtype=float)[hit]
        largest = pd.Series(quantity_text(known), dtype=object)
        said = " Its largest " + span + "-day demand so far was " + largest + " units."
        text = text + said.where(known > 0, "")
    lines.loc[hit, "explanation"] = lines.loc[hit, "explanation"].astype(str) + text.to_numpy()
