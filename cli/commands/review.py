"""`replenish review`: the orders waiting for a person, one order in full, and a decision.

A channel for people who work in a terminal (and for an operator standing in): every
decision goes through `services.decisions.decide`, exactly as any other channel's
would, so the same rules hold: only the routed people decide, a second decision is
refused with who decided what and when, changed quantities are kept beside the proposal.
The actions live in `review_orders` (list, show), `review_link` and `review_decide`.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.commands.base import add_config, add_json, services
from cli.exit_codes import ExitCode


def register(commands: Any) -> None:
    """The `review` subcommand and its actions (list, show, link, approve, reject)."""
    review = commands.add_parser(
        "review",
        help="orders waiting for a buyer: list them, show one, approve or reject it",
        description="The purchase orders waiting for a person's decision. Approved orders "
        "go to the ERP with the next nightly run.",
    )
    actions = review.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="orders waiting for a decision, earliest due first")
    listing.add_argument("--for", dest="person", default=None, help="only those routed to EMAIL")
    add_json(listing, "print one JSON array")
    show = actions.add_parser("show", help="one order: lines, quantities, why it was flagged")
    show.add_argument("po_key", help="the purchase order key, e.g. RPL-20261125-SUP-03-DC")
    add_json(show)
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
        add_config(parser)
    review.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from cli.commands import review_decide, review_link, review_orders

    built = services(args.config)
    if args.action == "list":
        return review_orders.list_waiting(built, args.person, as_json=args.json)
    if args.action == "show":
        return review_orders.show(built, args.po_key, as_json=args.json)
    if args.action == "link":
        return review_link.link(built, args.po_key, args.person)
    return review_decide.decide(built, args)
