"""The decision form a person fills in in the Prefect UI: one form, all their waiting orders.

The UI draws a `RunInput`'s JSON schema as a form: a nested model becomes a card, a
`Literal` a drop-down, a number an input, and the fields follow their `position`. So
the form is built per person from the orders it lists: a card per order (most money at
stake first; its title and description say supplier, location, value, deadline and
why) with a decision (later / approve / reject), one quantity per line and a comment.
A quantity left empty keeps what the order holds now: a form that re-sent every
quantity would undo a change another approver made while it waited.

Fields are named by position (`order_01`, `line_02`), never by key or sku, and the same
orders build the same model whenever the run starts: when it suspends and again when it
reads the answers after "Resume" (the flow starts over; see flows/ui_decisions.py). The
cards and texts are `services.decision_form_layout`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from prefect.input import RunInput
from pydantic import Field, create_model

from services.decision_form_layout import (
    CHANNEL,
    INSTRUCTIONS,
    describe,
    order_card,
    order_line,
    shown_lines,
)
from services.decision_forms import FormOrder
from services.decisions import DecideOrder


class DecisionForm(RunInput):
    """Base of every person's form: who answers it; the orders are added per form."""

    your_email: str = Field(min_length=3, title="Your e-mail")


@dataclass(frozen=True)
class Answer:
    order: FormOrder
    command: DecideOrder | None  # None: left for later


def form_for(person: str, orders: list[FormOrder]) -> type[DecisionForm]:
    """The form listing `orders` for `person`, with its description."""
    fields: dict[str, Any] = {
        "your_email": (
            str,
            Field(person, min_length=3, title="Your e-mail", description=INSTRUCTIONS,
                  json_schema_extra={"position": 0}),
        )
    }  # fmt: skip
    for number, order in enumerate(orders, 1):
        card = order_card(number, order)
        fields[f"order_{number:02d}"] = (
            card,
            Field(default_factory=card, title=f"{number}. {order.po_key}",
                  description=order_line(order), json_schema_extra={"position": number}),
        )  # fmt: skip
    form = create_model("DecisionForm", __base__=DecisionForm, **fields)
    return form.with_initial_data(description=describe(person, orders))


def answers(form: DecisionForm, orders: list[FormOrder]) -> list[Answer]:
    """What the person decided on each order, as commands for `services.decisions`."""
    found = []
    for number, order in enumerate(orders, 1):
        card = getattr(form, f"order_{number:02d}")
        if card.decision == "later":
            found.append(Answer(order, None))
            continue
        quantities = {
            line.sku: Decimal(str(value))
            for index, line in shown_lines(order)
            if (value := getattr(card, f"line_{index:02d}")) is not None
        }
        command = DecideOrder(order.po_key, card.decision, form.your_email, CHANNEL,
                              card.comment, quantities)  # fmt: skip
        found.append(Answer(order, command))
    return found
