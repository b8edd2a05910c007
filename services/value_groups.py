"""The value report's figures for one grouping (week, category, supplier, location):
scored lines in, typed rows out. An order asked of a person counts once per group it
has lines in (an order with two categories is one decision in each)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from contracts.value_report import OutcomeFigures, WorkFigures
from domain.money import to_money


def work_rows(lines: pd.DataFrame, by: str | None, minutes: float) -> list[WorkFigures]:
    """One WorkFigures per value of column `by` (None: one row for everything)."""
    if by is None:
        return [work_figures("all", lines, minutes)]
    return [work_figures(str(key), group, minutes) for key, group in lines.groupby(by, sort=True)]


def work_figures(key: str, lines: pd.DataFrame, minutes: float) -> WorkFigures:
    n = len(lines)
    auto = int(lines["auto_approved"].sum()) if n else 0
    asked = int(lines.loc[lines["asked"].astype(bool), "po_key"].nunique()) if n else 0
    taken = int(lines.loc[lines["decided"].astype(bool), "po_key"].nunique()) if n else 0
    changed = lines[lines["changed"].astype(bool)] if n else lines
    scored = changed[changed["known"].astype(bool)] if len(changed) else changed
    waiting = changed[~changed["known"].astype(bool)] if len(changed) else changed
    has_scores = len(scored) > 0
    return WorkFigures(
        key=key,
        lines=n,
        value=_money(lines["value"].sum() if n else 0.0),
        auto_approved_lines=auto,
        auto_approved_share=round(auto / n, 4) if n else None,
        decisions_asked=asked,
        decisions_taken=taken,
        minutes_asked=round(asked * minutes, 1),
        minutes_every_line=round(n * minutes, 1),
        changes=len(changed),
        changes_up=int((changed["chosen"] > changed["proposed"]).sum()) if len(changed) else 0,
        changes_down=int((changed["chosen"] < changed["proposed"]).sum()) if len(changed) else 0,
        change_value=_money(changed["change_value"].sum() if len(changed) else 0.0),
        changes_scored=len(scored),
        changes_helped=int(scored["helped"].astype(bool).sum()) if has_scores else 0,
        changes_hurt=int(scored["hurt"].astype(bool).sum()) if has_scores else 0,
        helped_share=round(float(scored["helped"].astype(bool).mean()), 4) if has_scores else None,
        money_saved=_money(scored["money_saved"].sum()) if has_scores else None,
        units_short_proposed=_units(scored["short_proposed"].sum()) if has_scores else None,
        units_short_chosen=_units(scored["short_chosen"].sum()) if has_scores else None,
        excess_value_proposed=_money(scored["excess_value_proposed"].sum()) if has_scores else None,
        excess_value_chosen=_money(scored["excess_value_chosen"].sum()) if has_scores else None,
        changes_waiting=len(waiting),
        known_after=max(waiting["known_after"]) if len(waiting) else None,
    )


def outcome_rows(
    nightly: pd.DataFrame, cover: pd.DataFrame, by: str | None, known_after: date | None
) -> list[OutcomeFigures]:
    """One OutcomeFigures per value of `by` over the nightly outcomes and latest cover
    (both carry the grouping columns)."""
    if by is None:
        return [outcome_figures("all", nightly, cover, known_after)]
    keys = sorted(
        set(nightly[by].astype(str)) | (set(cover[by].astype(str)) if by in cover else set())
    )
    rows = []
    for key in keys:
        night_part = nightly[nightly[by].astype(str) == key]
        cover_part = cover[cover[by].astype(str) == key] if by in cover else cover.iloc[0:0]
        rows.append(outcome_figures(key, night_part, cover_part, known_after))
    return rows


def outcome_figures(
    key: str, nightly: pd.DataFrame, cover: pd.DataFrame, known_after: date | None
) -> OutcomeFigures:
    observed = nightly[nightly["observed"].astype(bool)] if len(nightly) else nightly
    demand = float(observed["demand"].sum()) if len(observed) else 0.0
    unserved = float(observed["unserved"].sum()) if len(observed) else 0.0
    nights = int(observed["night"].nunique()) if len(observed) else 0
    daily = float(cover["daily_demand"].sum()) if len(cover) else 0.0
    on_hand = float(cover["on_hand"].clip(lower=0).sum()) if len(cover) else 0.0
    above = cover["above_target_value"].dropna() if len(cover) else cover
    return OutcomeFigures(
        key=key,
        item_locations=int(nightly[["sku", "location"]].drop_duplicates().shape[0])
        if len(nightly)
        else 0,
        nights_observed=nights,
        stockout_days=int(observed["stockout_day"].sum()) if nights else None,
        fill_rate=round(1.0 - unserved / demand, 4) if demand > 0 else None,
        days_of_supply=round(on_hand / daily, 1) if daily > 0 else None,
        above_target_value=_money(above.sum()) if len(above) else None,
        known_after=known_after if nights == 0 else None,
    )


def _money(value: float) -> Decimal:
    return to_money(float(value))


def _units(value: float) -> float:
    return round(float(value), 1)
