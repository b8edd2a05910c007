"""`replenish review list` and `review show`: what waits for a person, and why."""

from __future__ import annotations

import json
from typing import Any

from cli.commands.base import CliError
from cli.exit_codes import ExitCode
from domain.money import format_amount, format_money


def list_waiting(services: Any, person: str | None, *, as_json: bool) -> ExitCode:
    with services.uow() as uow:
        waiting = [
            _summary(po)
            for po in uow.orders.waiting_for_decision()
            if person is None or _routed_to(po, person)
        ]
    if as_json:
        print(json.dumps(waiting, indent=2, default=str))
        return ExitCode.SUCCEEDED
    if not waiting:
        print("No purchase orders wait for a decision" + (f" by {person}." if person else "."))
        return ExitCode.SUCCEEDED
    print(f"{len(waiting)} purchase order(s) wait for a decision:")
    for order in waiting:
        due = (
            f", due {order['decision_due_at']:%d %b %H:%M} UTC" if order["decision_due_at"] else ""
        )
        print(
            f"  {order['po_key']}  {format_money(order['value'], order['currency'])}  "
            f"{order['line_count']} line(s), for {order['approver'] or 'anyone'}{due}: "
            f"{', '.join(order['reasons']) or 'no flags'}"
        )
    return ExitCode.SUCCEEDED


def _routed_to(po: Any, person: str) -> bool:
    from approvals.policy import same_person_in

    routed = tuple(p for p in (po.approver, po.second_approver, po.deputy) if p)
    return same_person_in(person, routed)


def _summary(po: Any) -> dict[str, Any]:
    return {
        "po_key": po.po_key,
        "supplier_id": po.supplier_id,
        "location": po.location,
        "currency": po.currency,
        "value": float(po.value),
        "line_count": len(po.lines),
        "approver": po.approver,
        "second_approver": po.second_approver,
        "deputy": po.deputy,
        "required_approvals": po.required_approvals,
        "decision_due_at": po.decision_due_at,
        "reasons": sorted({flag.code for flag in po.flags}),
    }


def show(services: Any, po_key: str, *, as_json: bool) -> ExitCode:
    with services.uow() as uow:
        po = uow.orders.get(po_key)
        if po is None:
            raise CliError(f"no purchase order {po_key}")
        order = _summary(po) | {"status": po.status, "rollout_mode": po.rollout_mode}
        lines = [
            {
                "sku": line.sku,
                "proposed_quantity": float(line.proposed_quantity),
                "approved_quantity": (
                    None if line.approved_quantity is None else float(line.approved_quantity)
                ),
                "unit_cost": float(line.unit_cost),
                "line_value": float(line.line_value),
                "explanation": line.explanation,
            }
            for line in po.lines
        ]
        flags = [
            {"code": f.code, "sku": f.sku, "money_at_stake": float(f.money_at_stake),
             "message": f.message}
            for f in sorted(po.flags, key=lambda f: -float(f.money_at_stake))
        ]  # fmt: skip
    if as_json:
        print(json.dumps(order | {"lines": lines, "flags": flags}, indent=2, default=str))
        return ExitCode.SUCCEEDED
    print(
        f"{order['po_key']} ({order['status']}): {order['supplier_id']} -> {order['location']}, "
        f"{format_money(order['value'], order['currency'])}, "
        + (
            "made in shadow mode: a record only, never decided or sent"
            if order["status"] == "shadow"
            else f"waiting for {order['approver'] or 'anyone'}"
        )
    )
    shadow = order["status"] == "shadow"
    print(("What the rules flagged:" if shadow else "Why it waits:") if flags else "No flags.")
    for flag in flags:
        print(f"  - {flag['code']}{' ' + flag['sku'] if flag['sku'] else ''}: {flag['message']}")
    print("Lines:")
    for line in lines:
        print(
            f"  {line['sku']}: {line['proposed_quantity']:g} x {format_amount(line['unit_cost'])}"
        )
        print(f"    {line['explanation']}")
    return ExitCode.SUCCEEDED
