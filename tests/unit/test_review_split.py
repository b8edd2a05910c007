"""Only flagged lines wait for a buyer; an order-level flag holds the whole order."""

from __future__ import annotations

import pandas as pd
import pytest

from flags import REVIEW_SUFFIX, hold_flagged_lines

DAY = pd.Timestamp("2026-11-25")


def frames(flags: list[tuple[str, str | None]]) -> tuple[pd.DataFrame, ...]:
    """Order A with lines a1 (lead 5), a2 (lead 9), a3 (lead 3); order B with line b1."""
    lines = pd.DataFrame(
        {
            "po_key": ["A", "A", "A", "B", None],
            "sku": ["a1", "a2", "a3", "b1", "z0"],
            "location": ["L"] * 5,
            "order_qty": [10.0, 5.0, 2.0, 1.0, 0.0],
            "line_value": [100.0, 50.0, 20.0, 7.0, 0.0],
            "lead_time_days": [5.0, 9.0, 3.0, 4.0, 4.0],
        }
    )
    orders = pd.DataFrame(
        {
            "po_key": ["A", "B"],
            "supplier_id": ["S", "S"],
            "location": ["L", "L"],
            "order_date": [DAY, DAY],
            "expected_delivery": [DAY + pd.Timedelta(days=9), DAY + pd.Timedelta(days=4)],
            "currency": ["EUR", "EUR"],
            "line_count": [3, 1],
            "value": [170.0, 7.0],
        }
    )
    flag_frame = pd.DataFrame(
        {
            "po_key": [key for key, _ in flags],
            "sku": [sku for _, sku in flags],
            "location": ["L" if sku else None for _, sku in flags],
            "code": ["X"] * len(flags),
            "severity": ["warning"] * len(flags),
            "message": ["m"] * len(flags),
            "money_at_stake": [1.0] * len(flags),
        }
    )
    return orders, lines, flag_frame


def test_flagged_lines_move_to_a_review_order_and_the_rest_stays() -> None:
    orders, lines, flags = hold_flagged_lines(*frames([("A", "a2")]))
    by_key = orders.set_index("po_key")
    assert list(by_key.index) == ["A", "B", f"A{REVIEW_SUFFIX}"]
    assert by_key.loc["A", "value"] == 120.0
    assert by_key.loc["A", "line_count"] == 2
    assert by_key.loc["A-R", "value"] == 50.0
    assert by_key.loc["A-R", "line_count"] == 1
    # Each part arrives when its own slowest line does.
    assert by_key.loc["A", "expected_delivery"] == DAY + pd.Timedelta(days=5)
    assert by_key.loc["A-R", "expected_delivery"] == DAY + pd.Timedelta(days=9)
    assert lines.set_index("sku").loc["a2", "po_key"] == "A-R"
    assert list(flags["po_key"]) == ["A-R"]
    assert orders["value"].sum() == pytest.approx(177.0)  # no money appears or vanishes


@pytest.mark.parametrize(
    ("flags", "why"),
    [
        ([("A", None)], "an order-level flag holds the whole order"),
        ([("A", "a1"), ("A", "a2"), ("A", "a3")], "every line flagged: nothing to split"),
        ([("B", "b1")], "a one-line order is simply reviewed"),
        ([], "no flags, nothing moves"),
    ],
)
def test_no_split(flags: list[tuple[str, str | None]], why: str) -> None:
    before = frames(flags)
    orders, lines, flag_frame = hold_flagged_lines(*before)
    assert list(orders["po_key"]) == ["A", "B"], why
    assert lines["po_key"].tolist() == before[1]["po_key"].tolist(), why
    assert flag_frame["po_key"].tolist() == before[2]["po_key"].tolist(), why


def test_an_order_level_flag_beside_a_line_flag_holds_everything() -> None:
    orders, lines, _ = hold_flagged_lines(*frames([("A", None), ("A", "a1")]))
    assert list(orders["po_key"]) == ["A", "B"]
    assert set(lines["po_key"].dropna()) == {"A", "B"}


@pytest.mark.parametrize(
    ("minimum", "splits"),
    [
        (120.0, True),  # a1 + a3 = 120 still meet the supplier's minimum
        (120.01, False),  # the part left tonight would be refused: review it all
    ],
)
def test_no_split_leaves_tonight_part_below_the_suppliers_minimum(
    minimum: float, splits: bool
) -> None:
    orders, lines, flags = frames([("A", "a2")])
    lines["min_order_value"] = minimum
    orders, lines, _ = hold_flagged_lines(orders, lines, flags)
    assert (f"A{REVIEW_SUFFIX}" in set(orders["po_key"])) is splits
    assert lines.set_index("sku").loc["a2", "po_key"] == ("A-R" if splits else "A")


def test_an_informing_flag_neither_moves_its_line_nor_holds() -> None:
    orders, lines, flags = frames([("A", "a1"), ("A", "a2")])
    flags["code"] = ["STOCKOUT_RISK", "NEW_ITEM"]
    holds = pd.Series([False, True])  # STOCKOUT_RISK only informs
    orders, lines, flags = hold_flagged_lines(orders, lines, flags, holds)
    by_sku = lines.set_index("sku")["po_key"]
    assert (by_sku["a1"], by_sku["a2"]) == ("A", "A-R")
    # each flag stays with its line: the warning goes out with the order sent tonight
    assert flags.set_index("code")["po_key"].to_dict() == {"STOCKOUT_RISK": "A", "NEW_ITEM": "A-R"}


def test_a_line_held_only_for_its_orders_minimum_says_why() -> None:
    orders, lines, flags = frames([("A", "a2")])
    lines["min_order_value"] = 150.0  # a1 + a3 = 120 alone would be below it
    orders, lines, flags = hold_flagged_lines(orders, lines, flags)
    assert set(orders["po_key"]) == {"A", "B"}  # not split
    why = flags.loc[flags["code"] == "BELOW_MIN_ORDER_VALUE"].set_index("sku")
    assert sorted(why.index) == ["a1", "a3"]
    assert why.loc["a1", "money_at_stake"] == 100.0
    assert why.loc["a1", "message"] == (
        "Waits with the flagged lines of this order: sent alone tonight, the ordinary lines "
        "(EUR 120.00) would be below the supplier's minimum order value of EUR 150.00."
    )
    assert why["holds"].all()
    assert why["held_with_order"].all()  # no decision of their own (review_load)
