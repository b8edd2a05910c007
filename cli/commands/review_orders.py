"""`replenish review list` and `review show`: what waits for a person, and why; and, once
decided, who decided, when, through which channel, with their comment and quantities.

Both read `services.order_views`, which uses the page's own definitions (money at
stake, reasons in order, the decision's state), so the terminal says what the page says.
"""

from __future__ import annotations

import json
from typing import Any

from cli.commands.base import CliError
from cli.exit_codes import ExitCode
from domain.local_time import local_time, utc_time
from domain.money import format_amount, format_money


def list_waiting(services: Any, person: str | None, *, as_json: bool) -> ExitCode:
    """Most money at stake first: a buyer with little time starts where it matters most."""
    from services.order_views import waiting_orders

    waiting = waiting_orders(services.uow, services.settings.flags, person)
    if as_json:
        print(json.dumps([order.as_json() for order in waiting], indent=2, default=str))
        return ExitCode.SUCCEEDED
    if not waiting:
        print("No purchase orders wait for a decision" + (f" by {person}." if person else "."))
        return ExitCode.SUCCEEDED
    zone = services.settings.company_timezone
    count = len(waiting)
    print(
        f"{count} purchase order{'s' if count != 1 else ''} wait{'s' if count == 1 else ''} "
        "for a decision, most money at stake first:"
    )
    for order in waiting:
        due = (
            f", due {local_time(order.decision_due_at, zone, year=False)}"
            if order.decision_due_at
            else ""
        )
        lines = len(order.lines)
        print(
            f"  {format_money(order.money_at_stake, order.currency)} at stake  {order.po_key}  "
            f"{order.supplier}, {order.location}, {lines} line{'s' if lines != 1 else ''}, "
            f"for {order.approver or 'anyone'}{due}: {order.main_reason or 'no flags'}"
        )
    return ExitCode.SUCCEEDED


def show(services: Any, po_key: str, *, as_json: bool) -> ExitCode:
    from services.order_views import order_state

    try:
        order = order_state(services.uow, po_key, services.settings.flags)
    except KeyError as error:
        raise CliError(str(error).strip("'\"")) from None
    if as_json:
        lines = [
            {
                "sku": line.sku,
                "proposed_quantity": float(line.proposed_quantity),
                "approved_quantity": (
                    None if line.approved_quantity is None else float(line.approved_quantity)
                ),
                "ordered_quantity": float(line.ordered_quantity),
                "unit_cost": float(line.unit_cost),
                "line_value": float(line.line_value),
                "explanation": line.explanation,
            }
            for line in order.lines
        ]
        flags = [
            {"code": r.code, "sku": r.sku, "holds": r.holds,
             "money_at_stake": float(r.money_at_stake), "message": r.message}
            for r in order.reasons
        ]  # fmt: skip
        print(json.dumps(order.as_json() | {"lines": lines, "flags": flags}, indent=2))
        return ExitCode.SUCCEEDED
    print("\n".join(show_text(order, services.settings.company_timezone)))
    return ExitCode.SUCCEEDED


def show_text(order: Any, zone: str) -> list[str]:
    """The order in words: its state first, then why, then the lines."""
    money = format_money(order.money_at_stake, order.currency)
    head = (
        f"{order.po_key} ({order.status.replace('_', ' ')}): {order.supplier} -> {order.location}"
    )
    out = []
    if order.status == "shadow":
        out.append(f"{head}, {money}, made in shadow mode: a record only, never decided or sent")
    elif order.status == "pending_review":
        due = order.decision_due_at
        when = f" by {local_time(due, zone)} ({utc_time(due)})" if due else ""
        out.append(f"{head}, {money} at stake, waiting for {order.approver or 'anyone'}{when}")
    else:
        value = format_money(order.ordered_value, order.currency)
        out.append(f"{head}, {value} ordered")
    for d in order.decisions:
        out.append(
            f"  {d.outcome.replace('_', ' ').capitalize()} by {d.decided_by} on "
            f"{local_time(d.decided_at, zone)} ({utc_time(d.decided_at)}), through "
            f"{d.channel_words}."
        )
        for sku, (before, after) in d.quantities.items():
            out.append(f"    {sku}: {before} -> {after}")
        if d.comment:
            out.append(f'    Comment: "{d.comment}"')
    holding = [r for r in order.reasons if r.holds]
    informing = [r for r in order.reasons if not r.holds]
    if holding:
        out.append("What the rules flagged:" if order.status == "shadow" else "Why it waits:")
        out += [f"  - {_reason(r, order.currency)}" for r in holding]
    if informing:
        out.append("Also worth knowing (does not hold the order):")
        out += [
            f"  - {r.words}{' (' + r.sku + ')' if r.sku else ''}: {r.message}" for r in informing
        ]
    if not order.reasons:
        out.append("No flags.")
    out.append("Lines:")
    for line in order.lines:
        qty = f"{line.ordered_quantity.normalize():f}"
        was = (
            f" (proposed {line.proposed_quantity.normalize():f})"
            if line.approved_quantity is not None
            else ""
        )
        out.append(
            f"  {line.sku}: {qty}{was} x {format_amount(line.unit_cost)} = "
            f"{format_amount(line.line_value)}"
        )
        out.append(f"    {line.explanation}")
    return out


def _reason(reason: Any, currency: str) -> str:
    sku = f" ({reason.sku})" if reason.sku else ""
    stake = format_money(reason.money_at_stake, currency)
    return f"{reason.words}{sku}: {reason.message} [questions {stake}]"
