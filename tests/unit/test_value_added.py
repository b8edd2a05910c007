"""The value report's pure arithmetic: people's changes scored against the demand that
followed (FVA), the realised outcomes, and learning from buyers."""

from __future__ import annotations

import pandas as pd
import pytest

from purchasing.buyer_patterns import Thresholds, apply_service_levels, find_candidates
from purchasing.realised_outcomes import latest_cover, nightly_outcomes
from purchasing.value_added import score_lines

DAY = pd.Timestamp("2026-11-02")


def line(**values: object) -> dict[str, object]:
    base = {"sku": "A", "location": "L", "order_date": DAY.date(), "protection_days": 3.0,
            "proposed": 10.0, "chosen": 10.0, "forecast": 6.0, "unit_cost": 2.0}  # fmt: skip
    return {**base, **values}


def demand(rows: list[tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [("A", "L", pd.Timestamp(day), qty) for day, qty in rows],
        columns=["sku", "location", "date", "quantity"],
    )


@pytest.mark.parametrize(
    ("chosen", "realised_days", "helped", "saved"),
    [
        # forecast 6, demand 9 over the 3 days: ideal = 10 + 9 - 6 = 13
        (13.0, [("2026-11-02", 3), ("2026-11-03", 3), ("2026-11-04", 3)], True, 6.0),
        (8.0, [("2026-11-02", 3), ("2026-11-03", 3), ("2026-11-04", 3)], False, -4.0),
        # demand 2: ideal = 6; a cut to 6 is exact, saving 4 units at 2.00
        (6.0, [("2026-11-03", 2)], True, 8.0),
        # the day after the interval does not count
        (6.0, [("2026-11-03", 2), ("2026-11-05", 50)], True, 8.0),
    ],
)
def test_a_change_is_scored_against_the_demand_over_the_protection_interval(
    chosen: float, realised_days: list[tuple[str, int]], helped: bool, saved: float
) -> None:
    scores = score_lines(pd.DataFrame([line(chosen=chosen)]), demand(realised_days),
                         pd.Timestamp("2026-11-10"))  # fmt: skip
    row = scores.iloc[0]
    assert bool(row["known"])
    assert row["helped"] is helped
    assert row["money_saved"] == pytest.approx(saved)


def test_units_short_and_excess_value_of_proposal_and_person() -> None:
    scores = score_lines(pd.DataFrame([line(chosen=15.0)]),
                         demand([("2026-11-02", 9)]), pd.Timestamp("2026-11-10"))  # fmt: skip
    row = scores.iloc[0]  # ideal 13: proposal 3 short, person 2 over (4.00)
    assert row["short_proposed"] == 3.0
    assert row["short_chosen"] == 0.0
    assert row["excess_value_proposed"] == 0.0
    assert row["excess_value_chosen"] == 4.0


def test_a_line_whose_interval_has_not_passed_is_not_scored_and_says_when() -> None:
    scores = score_lines(pd.DataFrame([line(chosen=13.0)]), demand([("2026-11-02", 9)]),
                         pd.Timestamp("2026-11-03"))  # fmt: skip
    row = scores.iloc[0]
    assert not row["known"]
    assert row["helped"] is None
    assert pd.isna(row["money_saved"])
    assert pd.isna(row["realised"])
    assert str(row["known_after"]) == "2026-11-04"


def test_no_extract_means_nothing_known() -> None:
    scores = score_lines(pd.DataFrame([line()]), demand([]), None)
    assert not scores.iloc[0]["known"]


def test_stockout_days_and_fill_rate_count_only_known_days() -> None:
    stock = pd.DataFrame(
        {
            "sku": "A",
            "location": "L",
            "night": pd.to_datetime(["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]),
            "on_hand": [5, 0, 0, 0],
        }
    )
    sold = demand([("2026-11-02", 4), ("2026-11-03", 2), ("2026-11-05", 7)])
    nightly = nightly_outcomes(stock, sold, pd.Timestamp("2026-11-04"))
    assert nightly["observed"].tolist() == [True, True, True, False]
    assert nightly["stockout_day"].tolist() == [False, True, False, False]  # 11-04: no demand
    assert nightly.loc[nightly["observed"], "unserved"].sum() == 2.0


def test_days_of_supply_and_stock_above_target() -> None:
    stock = pd.DataFrame({"sku": ["A"], "location": ["L"], "night": [DAY], "on_hand": [56.0]})
    sold = demand([("2026-11-01", 28)])
    targets = pd.DataFrame({"sku": ["A"], "location": ["L"], "target": [50.0], "unit_cost": [2.0]})
    cover = latest_cover(stock, sold, targets, pd.Timestamp("2026-11-01")).iloc[0]
    assert cover["daily_demand"] == 1.0
    assert cover["above_target_value"] == 12.0


def changes(n: int, up: bool, helped: int, category: str = "Safety") -> pd.DataFrame:
    rows = [{"sku": f"S{i}", "location": "L", "supplier_id": "SUP", "category": category,
             "proposed": 10.0, "chosen": 14.0 if up else 6.0, "changed": True, "known": True,
             "helped": i < helped, "service_level": 0.95} for i in range(n)]  # fmt: skip
    return pd.DataFrame(rows)


RULES = Thresholds(min_changes=3, same_direction_share=0.8, helped_share=0.6, step=0.02)


def test_repeated_helpful_changes_in_one_direction_propose_a_service_level() -> None:
    found = find_candidates(changes(4, up=True, helped=3), RULES)
    assert [(c.scope, c.scope_key, c.direction, c.proposed_value) for c in found] == [
        ("category", "Safety", "up", 0.97)
    ]  # the supplier holds the same lines: proposed once, for the narrower scope


@pytest.mark.parametrize(("n", "helped"), [(2, 2), (4, 2)])
def test_too_few_changes_or_changes_that_did_not_help_propose_nothing(n: int, helped: int) -> None:
    assert find_candidates(changes(n, up=False, helped=helped), RULES) == []


def test_an_accepted_level_is_a_floor_or_ceiling_narrowest_scope_first() -> None:
    items = pd.DataFrame({"sku": ["A", "B", "C"], "location": "L",
                          "supplier_id": ["SUP", "SUP", "SUP2"],
                          "category": ["Safety", "Safety", "Tools"],
                          "service_level": [0.90, 0.99, float("nan")]})  # fmt: skip
    accepted = pd.DataFrame({"scope": ["category", "item_location", "supplier"],
                             "scope_key": ["Safety", "A|L", "SUP2"], "value": [0.97, 0.93, 0.94],
                             "direction": ["up", "up", "down"]})  # fmt: skip
    levels = apply_service_levels(items, accepted, default_level=0.95)["service_level"].tolist()
    # A: its own item-location floor 0.93; B keeps 0.99 over the 0.97 floor; C (no level of
    # its own, the policy's 0.95) gets the supplier's ceiling 0.94.
    assert levels == [0.93, 0.99, 0.94]
