"""What a person's decision form in the Prefect UI says and shows: the card per order
(a decision, a quantity per shown line, a comment), its texts, and the table above it.

Pure: pydantic models and strings from `services.decision_forms.FormOrder`. The form
itself (a Prefect `RunInput`) is put together in `flows.decision_form`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from domain.money import format_money
from services.decision_forms import FormLine, FormOrder

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


def order_card(number: int, order: FormOrder) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "decision": (
            Choice,
            Field("later", title="Decision", description="later: leave it waiting",
                  json_schema_extra={"position": 0}),
        )
    }  # fmt: skip
    for index, line in shown_lines(order):
        fields[f"line_{index:02d}"] = (
            Quantity,
            Field(None, ge=0, title=f"{line.sku}: quantity", description=_line_help(line),
                  json_schema_extra=_no_default(index)),
        )  # fmt: skip
    hidden = len(order.lines) - len(shown_lines(order))
    note = f"; {hidden} more lines keep their quantities" if hidden else ""
    fields["comment"] = (
        str,
        Field("", max_length=2000, title="Comment", description=f"Optional{note}",
              json_schema_extra={"position": 1000}),
    )  # fmt: skip
    return create_model(f"Order{number:02d}", __config__=ConfigDict(extra="forbid"), **fields)


def shown_lines(order: FormOrder) -> list[tuple[int, FormLine]]:
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


def order_line(order: FormOrder) -> str:
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
