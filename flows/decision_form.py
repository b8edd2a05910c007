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
reads the answers after "Resume" (the flow starts over; see flows/ui_decisions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from prefect.input import RunInput
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from domain.money import format_money
from services.decision_forms import FormLine, FormOrder
from services.decisions import DecideOrder

CHANNEL = "prefect-ui"
MAX_LINE_FIELDS = 12  # beyond this, an order's other lines are changed on the review page
Choice = Literal["later", "approve", "reject"]
# A plain number in the schema (not "number or null"), so the UI shows a number input;
# left empty, the UI leaves the key out and the field is None: keep the quantity.
Quantity = Annotated[float | None, WithJsonSchema({"type": "number", "minimum": 0})]
# On the first field, because Prefect 3.9's Resume dialog squeezes the form's markdown
# description to nothing once the form is taller than the dialog (the table of orders is
# also on the run's Artifacts tab, flows/ui_decisions.py).
INSTRUCTIONS = (
    "As the orders were routed to you; decisions are recorded under it. Below, per order: "
    "approve or reject (later leaves it waiting), a quantity only where you change it "
    "(empty keeps it, 0 leaves the line out), a comment. A refused decision ends the run "
    "Failed, saying why, and the order is in your next form."
)


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
        card = _order_model(number, order)
        fields[f"order_{number:02d}"] = (
            card,
            Field(default_factory=card, title=f"{number}. {order.po_key}",
                  description=_order_line(order), json_schema_extra={"position": number}),
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
            for index, line in _shown_lines(order)
            if (value := getattr(card, f"line_{index:02d}")) is not None
        }
        command = DecideOrder(order.po_key, card.decision, form.your_email, CHANNEL,
                              card.comment, quantities)  # fmt: skip
        found.append(Answer(order, command))
    return found


def describe(person: str, orders: list[FormOrder]) -> str:
    """The markdown above the form: what waits, and what Submit does."""
    rows = [
        f"| {n} | {o.po_key} | {_cell(o.supplier)} | {o.location} | {_money(o.value, o)} "
        f"| {_money(o.money_at_stake, o)} | {_due(o)} | {_cell(_why(o))} |"
        for n, o in enumerate(orders, 1)
    ]
    return "\n".join(
        [
            f"### {len(orders)} purchase order{'s' * (len(orders) != 1)} wait for {person}",
            "",
            "Most money at stake first. For each order choose **approve** or **reject** "
            "(*later* leaves it waiting), change a quantity only where you mean to (empty "
            "keeps it, 0 leaves the line out), add a comment, then **Submit**. Each "
            "decision is applied as on the review page: once, audited (channel "
            f"`{CHANNEL}`), and refused when the order is not yours, already decided "
            "elsewhere, or a quantity is out of bounds. A refusal ends this run **Failed** "
            "naming it; every order still waiting then gets a new form.",
            "",
            "| # | order | supplier | location | value | at stake | decide by | why |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *rows,
        ]
    )


def _order_model(number: int, order: FormOrder) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "decision": (
            Choice,
            Field("later", title="Decision", description="later: leave it waiting",
                  json_schema_extra={"position": 0}),
        )
    }  # fmt: skip
    for index, line in _shown_lines(order):
        fields[f"line_{index:02d}"] = (
            Quantity,
            Field(None, ge=0, title=f"{line.sku}: quantity", description=_line_help(line),
                  json_schema_extra=_no_default(index)),
        )  # fmt: skip
    hidden = len(order.lines) - len(_shown_lines(order))
    note = f"; {hidden} more lines keep their quantities" if hidden else ""
    fields["comment"] = (
        str,
        Field("", max_length=2000, title="Comment", description=f"Optional{note}",
              json_schema_extra={"position": 1000}),
    )  # fmt: skip
    return create_model(f"Order{number:02d}", __config__=ConfigDict(extra="forbid"), **fields)


def _shown_lines(order: FormOrder) -> list[tuple[int, FormLine]]:
    """The lines that get a quantity field: all of them, or the flagged and largest first."""
    numbered = list(enumerate(order.lines, 1))
    if len(numbered) <= MAX_LINE_FIELDS:
        return numbered
    ranked = sorted(numbered, key=lambda n: (not n[1].flagged, -n[1].proposed * n[1].unit_cost))
    return sorted(ranked[:MAX_LINE_FIELDS], key=lambda n: n[0])


def _no_default(position: int) -> Any:
    def extra(schema: dict[str, Any]) -> None:
        schema.pop("default", None)  # an empty input, not a "null" the schema would refuse
        schema["position"] = position

    return extra


def _line_help(line: FormLine) -> str:
    flagged = ", flagged" if line.flagged else ""
    return (
        f"Now {_qty(line.current)} (proposed {_qty(line.proposed)}{flagged}); "
        "empty keeps it, 0 leaves the line out."
    )


def _order_line(order: FormOrder) -> str:
    status = "" if order.status == "pending_review" else f" (now {order.status})"
    return (
        f"{order.supplier}, {order.location}, {_money(order.value, order)}{status}; "
        f"decide by {_due(order)}. {_why(order)}"
    )


def _why(order: FormOrder) -> str:
    more = len(order.reasons) - 1
    return order.reasons[0] + (f" (+{more} more)" if more > 0 else "") if order.reasons else ""


def _due(order: FormOrder) -> str:
    return f"{order.deadline:%d %b %H:%M} UTC" if order.deadline else "no deadline"


def _money(amount: Decimal, order: FormOrder) -> str:
    return format_money(amount, order.currency)


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")
