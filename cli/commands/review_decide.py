"""`replenish review approve|reject`: a decision through the one decision service."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from typing import Any

from cli.commands.base import CliError, Refused
from cli.exit_codes import ExitCode

CHANNEL = "cli"


def decide(services: Any, args: argparse.Namespace) -> ExitCode:
    from services.decisions import (
        AlreadyDecided,
        DecideOrder,
        InvalidDecision,
        NotAnAdministrator,
        NotYourDecision,
        decide_order,
    )

    try:
        command = DecideOrder(
            po_key=args.po_key, outcome=args.action, person=args.person, channel=CHANNEL,
            comment=args.comment, quantities=parse_quantities(getattr(args, "qty", [])),
            in_place_of_approver=args.in_place_of_approver,
        )  # fmt: skip
        result = decide_order(services.uow, services.settings.approvals, command)
    except (AlreadyDecided, NotYourDecision, NotAnAdministrator) as error:
        raise Refused(str(error)) from None
    except (InvalidDecision, KeyError) as error:
        raise CliError(str(error).strip("'\"")) from None
    if result.final:
        print(f"{result.po_key} is now {result.status.value} (by {result.decided_by}).")
        if result.status.value == "approved":
            print("It goes to the ERP with the next nightly run, or now: replenish submit.")
    elif result.restarted:
        print(
            f"{result.po_key}: quantities changed after an earlier approval, so the approval "
            "starts again; the earlier approver is asked once more."
        )
    else:
        print(
            f"{result.po_key}: approval {result.approvals} of {result.required_approvals} "
            "recorded; it waits for another person."
        )
    if result.changed_quantities:
        _print_values(services, result.po_key, result.changed_quantities)
    return ExitCode.SUCCEEDED


def _print_values(services: Any, po_key: str, changed: dict[str, Decimal] | Any) -> None:
    """The recomputed line values and order value, as the page's review step shows them."""
    from domain.money import format_money
    from services.order_views import order_state

    order = order_state(services.uow, po_key, services.settings.flags)
    for line in order.lines:
        if line.sku in changed:
            print(
                f"  {line.sku}: {line.proposed_quantity.normalize():f} proposed -> "
                f"{line.ordered_quantity.normalize():f} approved, line value "
                f"{format_money(line.line_value, order.currency)}"
            )
    print(
        f"  Order value: {format_money(order.ordered_value, order.currency)} "
        f"(proposed {format_money(order.proposed_value, order.currency)})."
    )


def parse_quantities(pairs: list[str]) -> dict[str, Decimal]:
    """`--qty SKU=N` pairs as quantities; the decision service bounds the numbers."""
    from services.decisions import InvalidDecision

    quantities: dict[str, Decimal] = {}
    for pair in pairs:
        sku, sep, text = pair.partition("=")
        try:
            if not sep or not sku:
                raise InvalidOperation
            quantities[sku] = Decimal(text)
        except InvalidOperation:
            raise InvalidDecision(
                f"--qty {pair!r}: write SKU=QUANTITY, e.g. SKU-00042=12"
            ) from None
    return quantities
