"""Which item-locations the flagging stage must warn about: those a quarantined row
names, and those with no stock row (the planner would read their shelf as empty)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from dataquality.reasons import Reason

# dateutil (format="mixed") is super-linear on a long cell: a 10 MB "date" hung the
# night; no date in any documented format is longer than this.
MAX_DATE_CHARS = 40


def quarantined_items(all_issues: pd.DataFrame) -> pd.DataFrame:
    """sku, location, reasons and newest_demand_date of every item-location a quarantined
    row names.

    A row with a sku but no location is kept with location "": it may have belonged to
    any location of that sku, so the flagging stage treats it as naming all of them.
    `newest_demand_date` is the newest date among the item's quarantined rows when all of
    them are dated demand rows, else NaT: the extract repeats the whole history every
    night, and a bad sale from last year must not flag the item every night forever,
    while a bad stock row or an undated one always matters.
    """
    q = all_issues[(all_issues["disposition"] == "quarantined") & (all_issues["sku"] != "")]
    if q.empty:
        return pd.DataFrame(
            {"sku": [], "location": [], "reasons": [], "newest_demand_date": []}, dtype=object
        )
    long = q[["sku", "location"]].assign(reason=q["reasons"].str.split(";")).explode("reason")
    long = long.drop_duplicates()
    grouped = long.groupby(["sku", "location"], sort=True)
    ids = grouped.ngroup().to_numpy()
    joined = np.full(grouped.ngroups, "", dtype=object)
    for reason in Reason:  # enum order keeps the lists stable between runs
        at = ids[(long["reason"] == reason.value).to_numpy()]
        joined[at] = np.where(joined[at] == "", reason.value, joined[at] + ";" + reason.value)
    keys = grouped.size().index.to_frame(index=False)
    dated = _demand_dates(q).groupby([q["sku"], q["location"]], sort=True)
    newest = dated.max().where(dated.count() == dated.size())  # any undated row: NaT
    return (
        keys.assign(reasons=joined)
        .astype(object)
        .assign(newest_demand_date=newest.reindex(pd.MultiIndex.from_frame(keys)).to_numpy())
    )


def _demand_dates(rows: pd.DataFrame) -> pd.Series:
    """The date each quarantined demand row was read with (NaT if unreadable or not demand);
    parsed from the raw JSON of the few quarantined rows, not kept for every row."""
    dates = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    # Stock history repeats every night like demand: a bad old row is dated the same way.
    demand = rows["kind"].isin(["demand", "stock_history"])
    if demand.any():
        text = [str(json.loads(raw).get("date", "")) for raw in rows.loc[demand, "raw"]]
        text = [cell if len(cell) <= MAX_DATE_CHARS else "" for cell in text]
        parsed = pd.to_datetime(
            pd.Series(text, index=rows.index[demand]), errors="coerce", format="mixed"
        )
        dates.loc[demand] = parsed.to_numpy(dtype="datetime64[ns]")
    return dates


def missing_stock(items: pd.DataFrame, stock: pd.DataFrame) -> pd.DataFrame:
    """Active accepted item-locations without an accepted stock row (sku, location).

    Without one the planner reads the shelf as empty and orders as if it were: a reason of
    its own, so the buyer sees it and a mostly missing stock file stops the run.
    """
    active = items.loc[items["active"].astype(bool), ["sku", "location"]]
    known = pd.MultiIndex.from_frame(stock[["sku", "location"]].astype(object))
    absent = ~pd.MultiIndex.from_frame(active.astype(object)).isin(known)
    return active.loc[absent].reset_index(drop=True).astype(object)


def with_missing_stock(quarantined: pd.DataFrame, missing: pd.DataFrame) -> pd.DataFrame:
    """`quarantined_items` plus NO_STOCK_ROW for the item-locations without stock."""
    if missing.empty:
        return quarantined
    code = Reason.NO_STOCK_ROW.value
    keys = ["sku", "location"]
    merged = quarantined.merge(missing.assign(_missing=True), on=keys, how="outer")
    flagged = merged["_missing"].eq(True).to_numpy()
    reasons = merged["reasons"].fillna("").astype(str)
    merged["reasons"] = reasons.where(~flagged, (reasons + ";" + code).str.lstrip(";"))
    merged["newest_demand_date"] = merged["newest_demand_date"].where(~flagged, pd.NaT)
    return merged.drop(columns="_missing").sort_values(keys).reset_index(drop=True)
