"""`replenish reconcile`: what we sent against what the ERP holds under our keys."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.commands.base import CliError, add_config, add_json, iso_date, services
from cli.exit_codes import ExitCode

# 0 when both sides agree, 1 when they differ (a script alerts on it), 2 when the
# configured ERP cannot list its orders (the file drop): the one error path. Orders in a
# routine state of approval inside the ERP (a quotation waiting for its approvers) are
# listed, never counted as differences: an alerting script must not cry wolf nightly.
AGREES = ExitCode.SUCCEEDED
DIFFERS = ExitCode.FAILED


def register(commands: Any) -> None:
    reconcile = commands.add_parser(
        "reconcile",
        help="compare the orders sent with what the ERP holds under our keys",
        description="List the ERP's orders that carry our keys (RPL-...) and report orders "
        "missing on either side and quantities that differ (a buyer changed them in the "
        "ERP), the worst first: an order rejected here that the ERP shows as confirmed. "
        "Quotations waiting for the ERP's approvers are listed apart, not as differences. "
        f"Exit {int(AGREES)} when both sides agree, {int(DIFFERS)} when they differ.",
    )
    reconcile.add_argument(
        "--since",
        type=iso_date,
        default=None,
        help="only orders dated on or after YYYY-MM-DD (default: all)",
    )
    add_config(reconcile)
    add_json(reconcile)
    reconcile.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from integrations.erp.base import ErpError
    from services.reconciliation import CannotReconcile, as_markdown, reconcile

    built = services(args.config)
    try:
        result = reconcile(built.uow, built.erp, args.since)
    except (CannotReconcile, ErpError) as error:
        raise CliError(str(error)) from None
    finally:
        built.engine.dispose()
    print(json.dumps(result.as_dict(), indent=2) if args.json else as_markdown(result))
    return AGREES if result.agrees else DIFFERS
