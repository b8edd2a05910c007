"""The Prefect UI's decision form: one card per order, and the answers read back from it.

The schema is what the Prefect UI draws (and what its server checks a submitted form
against), so it is asserted as the UI reads it: the fields in `position` order, a
drop-down for the decision, a plain number input per line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from prefect._internal.pydantic.v2_schema import create_v2_schema
from pydantic import ValidationError

from flows.decision_form import answers, form_for
from services.decision_form_layout import MAX_LINE_FIELDS
from services.decision_forms import FormLine, FormOrder
from services.form_sync import why_close

BUYER = "buyer@example.com"


def order(key: str, *lines: FormLine, reasons: tuple[str, ...] = ("NEW_ITEM: new",)) -> FormOrder:
    return FormOrder(
        po_key=key,
        status="pending_review",
        supplier="Nordbolt | Fasteners",
        location="DC-SOUTH",
        currency="EUR",
        value=Decimal("1234.50"),
        money_at_stake=Decimal("800.00"),
        deadline=datetime(2026, 12, 7, 14, 0, tzinfo=UTC),
        reasons=list(reasons),
        lines=list(lines) or [line("SKU-1", "120"), line("SKU-2", "10", current="8")],
    )


def line(sku: str, proposed: str, *, current: str | None = None, flagged: bool = False,
         cost: str = "2.50") -> FormLine:  # fmt: skip
    return FormLine(sku, Decimal(proposed), Decimal(current or proposed), Decimal(cost), flagged)


def schema_of(form: type[Any]) -> dict[str, Any]:
    return create_v2_schema(form.__name__, model_base=form)


def test_one_card_per_order_in_order_with_a_decision_drop_down_and_number_inputs() -> None:
    orders = [order("RPL-A"), order("RPL-B")]
    schema = schema_of(form_for(BUYER, orders))

    top = schema["properties"]
    assert [k for k, _ in sorted(top.items(), key=lambda kv: kv[1]["position"])] == [
        "your_email", "order_01", "order_02",
    ]  # fmt: skip
    assert top["your_email"]["default"] == BUYER
    assert top["order_01"]["title"] == "1. RPL-A"
    assert "EUR 1,234.50" in top["order_01"]["description"]
    card = schema["definitions"]["Order01"]["properties"]
    assert card["decision"]["enum"] == ["later", "approve", "reject"]
    assert card["decision"]["default"] == "later"
    # A bare number input per line with nothing in it: not "number or null", no default.
    assert card["line_01"] == {
        "type": "number",
        "minimum": 0,
        "title": "SKU-1: quantity",
        "description": "Now 120 (proposed 120); empty keeps it, 0 leaves the line out.",
        "position": 1,
    }
    assert card["line_02"]["description"].startswith("Now 8 (proposed 10)")
    assert card["comment"]["position"] > card["line_02"]["position"]


def test_the_description_lists_the_orders_as_a_table_a_pipe_cannot_break() -> None:
    form = form_for(BUYER, [order("RPL-A"), order("RPL-B")])
    text = form._description
    assert text is not None
    assert text.startswith(f"### 2 purchase orders wait for {BUYER}")
    assert "| 1 | RPL-A | Nordbolt / Fasteners | DC-SOUTH | EUR 1,234.50 | EUR 800.00 |" in text
    assert "07 Dec 14:00 UTC" in text


def test_answers_become_commands_only_where_a_decision_was_taken() -> None:
    orders = [order("RPL-A"), order("RPL-B"), order("RPL-C")]
    form = form_for(BUYER, orders)
    filled = form.model_validate(
        {
            "your_email": "Buyer@Example.com",
            "order_01": {"decision": "approve", "line_02": 5},
            "order_02": {"decision": "reject", "comment": "not now"},
        }
    )

    found = answers(filled, orders)

    assert [a.order.po_key for a in found] == ["RPL-A", "RPL-B", "RPL-C"]
    approve, reject, later = (a.command for a in found)
    assert later is None
    assert approve is not None
    assert reject is not None
    assert (approve.outcome, approve.person, approve.channel) == (
        "approve", "Buyer@Example.com", "prefect-ui",
    )  # fmt: skip
    # Only the quantity typed in: SKU-1 was left empty and keeps what the order holds.
    assert approve.quantities == {"SKU-2": Decimal("5")}
    assert (reject.outcome, reject.comment, dict(reject.quantities)) == ("reject", "not now", {})


def test_a_negative_quantity_or_an_unknown_field_is_refused_by_the_form() -> None:
    orders = [order("RPL-A")]
    form = form_for(BUYER, orders)
    with pytest.raises(ValidationError):
        form.model_validate(
            {"your_email": BUYER, "order_01": {"decision": "approve", "line_01": -1}}
        )
    with pytest.raises(ValidationError):
        form.model_validate(
            {"your_email": BUYER, "order_01": {"decision": "approve", "line_09": 1}}
        )
    with pytest.raises(ValidationError):
        form.model_validate({"your_email": BUYER, "order_01": {"decision": "maybe"}})


def test_a_long_order_shows_its_flagged_and_largest_lines_and_says_the_rest_keep() -> None:
    lines = [line(f"SKU-{i:02d}", "1", cost=str(i)) for i in range(1, 21)]
    lines[0] = line("SKU-01", "1", cost="1", flagged=True)
    orders = [order("RPL-LONG", *lines)]
    card = schema_of(form_for(BUYER, orders))["definitions"]["Order01"]["properties"]

    shown = [v["title"].split(":")[0] for k, v in card.items() if k.startswith("line_")]
    assert len(shown) == MAX_LINE_FIELDS
    # The flagged line, then the most valuable ones, in the order's own line order.
    assert shown == ["SKU-01", *[f"SKU-{i:02d}" for i in range(10, 21)]]
    assert "8 more lines keep their quantities" in card["comment"]["description"]


def test_the_same_orders_build_the_same_form_when_the_answers_are_read() -> None:
    """The run starts over after Resume: the form it rebuilds must take the answers."""
    orders = [order("RPL-A"), order("RPL-B")]
    first, again = form_for(BUYER, orders), form_for(BUYER, orders)
    assert schema_of(first) == schema_of(again)
    answer = {"your_email": BUYER, "order_02": {"decision": "reject"}}
    assert answers(again.model_validate(answer), orders)[1].command is not None


@pytest.mark.parametrize(
    ("listed", "legacy", "enabled", "duplicate", "expected"),
    [
        (["A", "B"], False, True, False, None),
        (["B", "A"], False, True, False, None),  # the same orders in another order
        (["A", "B", "C"], False, True, False, "1 no longer waiting (C)"),
        (["A"], False, True, False, "1 new (B)"),
        (["A", "B"], False, True, True, f"another form for {BUYER} is open"),
        (["A", "B"], True, True, False, "replaced by one form per person"),
        (["A", "B"], False, False, False, "turned off (approvals.prefect_forms)"),
    ],
)
def test_an_open_form_is_kept_only_while_it_lists_what_waits_for_its_person(
    listed: list[str], legacy: bool, enabled: bool, duplicate: bool, expected: str | None
) -> None:
    why = why_close(BUYER, listed, {BUYER: ["A", "B"]}, legacy, enabled, duplicate)
    kept = why is None
    assert kept == (expected is None)
    assert expected is None or expected in str(why)


def test_a_form_for_someone_nothing_waits_for_is_closed_saying_so() -> None:
    why = why_close(BUYER, ["A"], {}, legacy=False, enabled=True, duplicate=False)
    assert why == f"nothing waits for {BUYER} any more (decided elsewhere, expired or withdrawn)"
