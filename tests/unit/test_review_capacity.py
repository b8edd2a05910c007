"""Review capacity: each approver gets at most N decisions a night, the largest stakes first."""

from __future__ import annotations

import pandas as pd

from flags import FlagRules, hold_flagged_lines, order_decisions
from flags.capacity import apply_review_capacity, passed_on_totals, review_load


def flag_rows(po_key: str, stakes: list[float], code: str = "NEW_ITEM") -> list[dict[str, object]]:
    return [
        {"po_key": po_key, "sku": f"{po_key}-{i}", "location": "WH1", "code": code,
         "severity": "medium", "message": "m", "money_at_stake": stake, "currency": "EUR",
         "money_at_stake_base": stake}
        for i, stake in enumerate(stakes)
    ]  # fmt: skip


def order_flag(po_key: str, stake: float) -> dict[str, object]:
    return {"po_key": po_key, "sku": None, "location": None, "code": "UNUSUAL_ORDER",
            "severity": "medium", "message": "m", "money_at_stake": stake, "currency": "EUR",
            "money_at_stake_base": stake}  # fmt: skip


APPROVERS = pd.Series({"PO-A": "anna@x", "PO-B": "anna@x", "PO-C": "carl@x", "PO-D": "anna@x"})
RULES = FlagRules(review_capacity=3)


def test_the_largest_stakes_hold_and_the_rest_are_passed_on_per_approver() -> None:
    flags = pd.DataFrame(
        flag_rows("PO-A", [500.0, 4000.0, 250.0]) + flag_rows("PO-B", [1000.0, 3000.0])
        + flag_rows("PO-C", [200.0, 300.0, 400.0, 150.0])
    )  # fmt: skip
    capped = apply_review_capacity(flags, APPROVERS, RULES)
    held = capped.loc[capped["holds"], "money_at_stake"].tolist()
    # anna: 5 lines, keeps 4000, 3000, 1000; carl: 4 lines, keeps 400, 300, 200
    assert sorted(held, reverse=True) == [4000.0, 3000.0, 1000.0, 400.0, 300.0, 200.0]
    assert capped["passed_on"].sum() == 3
    assert review_load(capped, APPROVERS) == {"anna@x": 3, "carl@x": 3}
    assert passed_on_totals(capped, "EUR") == {
        "lines": 3, "orders": 0, "flags": 3, "money_at_stake": {"EUR": 900.0}
    }  # fmt: skip


def test_flags_that_only_inform_take_no_capacity_and_a_line_is_one_decision() -> None:
    flags = pd.DataFrame(
        flag_rows("PO-A", [5000.0, 90.0])  # 90 < review_min_money_at_stake: informs
        + flag_rows("PO-A", [5000.0], code="DEMAND_ANOMALY")  # second flag, same line
        + flag_rows("PO-A", [700.0, 600.0], code="STOCKOUT_RISK")  # inform_only
        + flag_rows("PO-B", [100.0, 200.0])
    )  # fmt: skip
    capped = apply_review_capacity(flags, APPROVERS, RULES)
    assert not capped["passed_on"].any()
    assert review_load(capped, APPROVERS) == {"anna@x": 3}


def test_an_order_held_whole_is_one_decision_ranked_by_its_largest_stake() -> None:
    flags = pd.DataFrame(
        [
            order_flag("PO-D", 150.0),  # an unusual order with little at stake
            order_flag("PO-B", 120.0),
            *flag_rows("PO-B", [9000.0]),  # its line: the order's decision is worth 9,000
            *flag_rows("PO-A", [5000.0, 4000.0, 3000.0]),
        ]
    )
    capped = apply_review_capacity(flags, APPROVERS, RULES)
    kept = capped.loc[capped["holds"], ["po_key", "money_at_stake"]]
    assert sorted(map(tuple, kept.to_numpy().tolist())) == [
        ("PO-A", 4000.0), ("PO-A", 5000.0), ("PO-B", 120.0), ("PO-B", 9000.0)
    ]  # fmt: skip
    assert review_load(capped, APPROVERS) == {"anna@x": 3}
    assert passed_on_totals(capped, "EUR") == {
        "lines": 1, "orders": 1, "flags": 2, "money_at_stake": {"EUR": 3150.0}
    }  # fmt: skip


def test_always_review_orders_are_never_passed_on() -> None:
    flags = pd.DataFrame(
        [{**order_flag("PO-D", 10.0), "code": "ALWAYS_REVIEW"},
         *flag_rows("PO-A", [5000.0, 4000.0, 3000.0])]
    )  # fmt: skip
    capped = apply_review_capacity(flags, APPROVERS, RULES)
    assert capped.loc[capped["passed_on"], "money_at_stake"].tolist() == [3000.0]
    assert capped.loc[capped["sku"].isna(), "holds"].all()


def test_a_passed_on_line_goes_out_tonight_with_its_flag() -> None:
    lines = pd.DataFrame(
        {"po_key": "PO-A", "sku": ["PO-A-0", "PO-A-1", "PO-A-2", "PO-A-3"], "location": "WH1",
         "line_value": [500.0, 400.0, 300.0, 200.0], "lead_time_days": 7.0}
    )  # fmt: skip
    orders = pd.DataFrame(
        [{"po_key": "PO-A", "supplier_id": "S", "location": "WH1", "currency": "EUR",
          "order_date": pd.Timestamp("2024-01-05"), "value": 1400.0, "line_count": 4}]
    )  # fmt: skip
    flags = apply_review_capacity(
        pd.DataFrame(flag_rows("PO-A", [500.0, 400.0, 300.0])), APPROVERS,
        FlagRules(review_capacity=2),
    )  # fmt: skip
    orders, lines, flags = hold_flagged_lines(orders, lines, flags, FlagRules().holds(flags))
    assert lines.set_index("sku")["po_key"].to_dict() == {
        "PO-A-0": "PO-A-R", "PO-A-1": "PO-A-R", "PO-A-2": "PO-A", "PO-A-3": "PO-A"
    }  # fmt: skip
    decisions = order_decisions(orders, flags).set_index("po_key")["decision"].to_dict()
    assert decisions == {"PO-A": "auto_approved", "PO-A-R": "pending_review"}
    assert flags.set_index("sku").loc["PO-A-2", "po_key"] == "PO-A"  # told, not held


def test_zero_capacity_means_no_limit() -> None:
    flags = pd.DataFrame(flag_rows("PO-A", [500.0] * 50))
    capped = apply_review_capacity(flags, APPROVERS, FlagRules(review_capacity=0))
    assert capped["holds"].all()
