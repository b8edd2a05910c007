"""`replenish reconcile`: what we sent against what the ERP holds under our keys."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from replenish.cli import CliError, _date

EXIT_AGREES = 0
EXIT_DIFFERS = 1


def add_parser(commands: Any) -> None:
    reconcile = commands.add_parser(
        "reconcile",
        help="compare the orders sent with what the ERP holds under our keys",
        description="List the ERP's orders that carry our keys (RPL-...) and report orders "
        "missing on either side and quantities that differ (a buyer changed them in the "
        f"ERP). Exit {EXIT_AGREES} when both sides agree, {EXIT_DIFFERS} when they differ.",
    )
    reconcile.add_argument(
        "--since",
        type=_date,
        default=None,
        help="only orders dated on or after YYYY-MM-DD (default: all)",
    )
    reconcile.add_argument("--config", type=Path, default=None, help="TOML config file")
    reconcile.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from integrations.erp.base import ErpError
    from replenish.bootstrap import build
    from replenish.settings import SettingsError, load_settings
    from services.reconciliation import CannotReconcile, as_markdown, reconcile

    try:
        services = build(load_settings(args.config))
    except SettingsError as error:
        raise CliError(str(error)) from None
    try:
        result = reconcile(services.uow, services.erp, args.since)
    except (CannotReconcile, ErpError) as error:
        raise CliError(str(error)) from None
    finally:
        services.engine.dispose()
    print(json.dumps(result.as_dict(), indent=2) if args.json else as_markdown(result))
    return EXIT_AGREES if result.agrees else EXIT_DIFFERS

