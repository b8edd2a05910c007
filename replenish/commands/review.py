"""`replenish review`: the orders waiting for a person, one order in full, and a decision.

A channel for people who work in a terminal (and for an operator standing in): every
decision goes through `approvals.decisions.decide`, exactly as any other channel's
would, so the same rules hold: only the routed people decide, a second decision is
refused with who decided what and when, changed quantities are kept beside the proposal.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

EXIT_USAGE = 2
EXIT_REFUSED = 3
CHANNEL = "cli"


def add_parser(commands: Any) -> None:
    """The `review` subcommand and its actions (list, show, approve, reject)."""
    review = commands.add_parser(
        "review",
        help="orders waiting for a buyer: list them, show one, approve or reject it",
        description="The purchase orders waiting for a person's decision. Approved orders "
        "go to the ERP with the next nightly run.",
    )
    actions = review.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="orders waiting for a decision, earliest due first")
    listing.add_argument("--for", dest="person", default=None, help="only those routed to EMAIL")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    show = actions.add_parser("show", help="one order: lines, quantities, why it was flagged")
    show.add_argument("po_key", help="the purchase order key, e.g. RPL-20261125-SUP-03-DC")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    link = actions.add_parser(
        "link",
        help="print a review-page link for one order (or, without PO_KEY, a digest)",
        description="A signed link to the review page, for a person the order was routed "
        "to or an administrator (approvals.administrators); it expires at the order's "
        "decision deadline. Without PO_KEY: the person's digest of waiting orders.",
    )
    link.add_argument("po_key", nargs="?", default=None, help="the purchase order key")
    link.add_argument("--for", dest="person", required=True, help="whose link (e-mail)")
    for outcome in ("approve", "reject"):
        decide = actions.add_parser(outcome, help=f"{outcome} an order waiting for you")
        decide.add_argument("po_key", help="the purchase order key")
        decide.add_argument("--as", dest="person", required=True, help="your e-mail address")
        decide.add_argument("--comment", default="", help="why (kept in the audit trail)")
        decide.add_argument(
            "--in-place-of-approver",
            action="store_true",
            help="an administrator (listed in approvals.administrators) deciding for the "
            "routed people; recorded as such in the audit trail",
        )
        if outcome == "approve":
            decide.add_argument(
                "--qty",
                action="append",
                default=[],
                metavar="SKU=N",
                help="approve a different quantity for a line (repeatable)",
            )
    for parser in actions.choices.values():
        parser.add_argument("--config", default=None, help="TOML config file")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from replenish.bootstrap import build
    from replenish.settings import SettingsError, load_settings

    try:
        services = build(load_settings(Path(args.config) if args.config else None))
    except SettingsError as error:
        return _fail(str(error))
    if args.action == "list":
        return _list(services, args.person, as_json=args.json)
    if args.action == "show":
        return _show(services, args.po_key, as_json=args.json)
    if args.action == "link":
        return _link(services, args.po_key, args.person)
    return _decide(services, args)


def _list(services: Any, person: str | None, *, as_json: bool) -> int:
    with services.uow() as uow:
        waiting = [
            _summary(po)
            for po in uow.orders.waiting_for_decision()
            if person is None or _routed_to(po, person)
        ]
    if as_json:
        print(json.dumps(waiting, indent=2, default=str))
        return 0
    if not waiting:
        print("No purchase orders wait for a decision" + (f" by {person}." if person else "."))
        return 0
    print(f"{len(waiting)} purchase order(s) wait for a decision:")
    for order in waiting:
        due = (
            f", due {order['decision_due_at']:%d %b %H:%M} UTC" if order["decision_due_at"] else ""
        )
        print(
            f"  {order['po_key']}  {order['currency']} {order['value']:,.2f}  "
            f"{order['line_count']} line(s), for {order['approver'] or 'anyone'}{due}: "
            f"{', '.join(order['reasons']) or 'no flags'}"
        )
    return 0


def _link(services: Any, po_key: str | None, person: str) -> int:
    from datetime import UTC, datetime

    from services import review_links
    from services.review_pages import NotForYou

    now, policy = datetime.now(UTC), services.settings.approvals
    if po_key is None:
        link = review_links.digest_link(services.uow, services.links, policy, person, now)
        if link is None:
            return _refuse(f"no purchase order waits for {person}")
        print(link)
        return 0
    try:
        print(review_links.order_link(services.uow, services.links, policy, po_key, person, now))
    except NotForYou as refusal:
        return _refuse(str(refusal))
    except KeyError as error:
        return _fail(str(error).strip("'\""))
    return 0


def digest_link_for_busiest(config: str | None = None) -> str | None:
    """The digest link of whoever has the most orders waiting (for `replenish demo`)."""
    from datetime import UTC, datetime
    from pathlib import Path

    from replenish.bootstrap import build
    from replenish.settings import load_settings
    from services import review_links

    services = build(load_settings(Path(config) if config else None))
    return review_links.digest_link(
        services.uow, services.links, services.settings.approvals, None, datetime.now(UTC)
    )


def _refuse(message: str) -> int:
    print(f"replenish: refused: {message}", file=sys.stderr)
    return EXIT_REFUSED


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


def _show(services: Any, po_key: str, *, as_json: bool) -> int:
    with services.uow() as uow:
        po = uow.orders.get(po_key)
        if po is None:
            return _fail(f"no purchase order {po_key}")
        order = _summary(po) | {"status": po.status}
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
        return 0
    print(
        f"{order['po_key']} ({order['status']}): {order['supplier_id']} -> {order['location']}, "
        f"{order['currency']} {order['value']:,.2f}, waiting for {order['approver'] or 'anyone'}"
    )
    print("Why it waits:" if flags else "No flags.")
    for flag in flags:
        print(f"  - {flag['code']}{' ' + flag['sku'] if flag['sku'] else ''}: {flag['message']}")
    print("Lines:")
    for line in lines:
        print(f"  {line['sku']}: {line['proposed_quantity']:g} x {line['unit_cost']:,.2f}")
        print(f"    {line['explanation']}")
    return 0


def _decide(services: Any, args: argparse.Namespace) -> int:
    from approvals.decisions import (
        AlreadyDecided,
        InvalidDecision,
        NotAnAdministrator,
        NotYourDecision,
    )
    from services.decisions import DecideOrder, decide_order

    try:
        command = DecideOrder(
            po_key=args.po_key, outcome=args.action, person=args.person, channel=CHANNEL,
            comment=args.comment, quantities=parse_quantities(getattr(args, "qty", [])),
            in_place_of_approver=args.in_place_of_approver,
        )  # fmt: skip
        result = decide_order(services.uow, services.settings.approvals, command)
    except (AlreadyDecided, NotYourDecision, NotAnAdministrator) as error:
        print(f"replenish: refused: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except (InvalidDecision, KeyError) as error:
        return _fail(str(error).strip("'\""))
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
    for sku, quantity in result.changed_quantities.items():
        print(f"  {sku}: approved {quantity} instead of the proposed quantity")
    return 0


def parse_quantities(pairs: list[str]) -> dict[str, Decimal]:
    """`--qty SKU=N` pairs as quantities; the decision service bounds the numbers."""
    from approvals.decisions import InvalidDecision

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


def _fail(message: str) -> int:
    print(f"replenish: error: {message}", file=sys.stderr)
    return EXIT_USAGE
