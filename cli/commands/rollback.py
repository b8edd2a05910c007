"""`replenish rollback RUN_ID --reason TEXT --as ADMIN`: take a bad night back.

Calls the one rollback use case (`services.rollback.roll_back_night`) directly, without
Prefect: an operator fixing a bad night must not wait for a Prefect server. The Prefect
`rollback` deployment (flows/rollback.py) calls the same use case from the UI.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.commands.base import Refused, add_config, add_json, services
from cli.exit_codes import ExitCode

CHANNEL = "cli"


def register(commands: Any) -> None:
    rollback = commands.add_parser(
        "rollback",
        help="roll a night back: withdraw its unsent orders, cancel the sent ones in the ERP",
        description="Roll back the orders of one run (`RUN_ID`, as `replenish run --json` "
        "printed it, or from the Prefect UI): orders not sent yet are withdrawn (their "
        "review links stop working), orders in the ERP are cancelled there once (too late "
        "once the ERP has placed them). Administrators only (approvals.administrators). "
        "Audited, and e-mailed to the night's buyers and the operator. A second rollback "
        "of the same run changes nothing. Exit 0: all taken back; 4: some orders too late "
        "or failed (the next run retries the failed ones); 3: refused.",
    )
    rollback.add_argument("run_id", metavar="RUN_ID", help="the run whose orders to take back")
    rollback.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    rollback.add_argument(
        "--as", dest="person", required=True, help="your e-mail address (an administrator)"
    )
    add_config(rollback)
    add_json(rollback)
    rollback.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from services.erp_calls import calls_for
    from services.rollback import RollbackMailing, RollbackRefused, RollbackRequest, roll_back_night

    wired = services(args.config)
    settings = wired.settings
    request = RollbackRequest(args.run_id, args.reason, args.person, CHANNEL)
    calls = calls_for(settings.erp)
    mailing = RollbackMailing(
        sender=settings.email.sender,
        operator=settings.approvals.operator,
        default_buyer=settings.approvals.default_approver,
    )
    try:
        report = roll_back_night(
            wired.uow, wired.erp, wired.mailer, request, calls=calls, mailing=mailing,
            administrators=settings.approvals.administrators,
        )  # fmt: skip
    except RollbackRefused as refusal:
        raise Refused(str(refusal)) from None
    finally:
        wired.engine.dispose()
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report.headline() + ".")
        print(f"  Why: {report.reason}")
        print(f"  {len(report.orders)} orders: {report.count_sentence()}.")
        for order in report.orders:
            detail = f" ({order.detail})" if order.detail else ""
            print(f"  {order.po_key}: {order.outcome.value.replace('_', ' ')}{detail}")
        if not report.already_rolled_back:
            print("  E-mailed to the night's buyers and the operator (queued if the mail "
                  "server is down).")  # fmt: skip
    return ExitCode.SUCCEEDED if report.complete else ExitCode.PARTIAL
