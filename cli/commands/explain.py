"""`replenish explain SKU LOCATION`: why the model recommended that quantity.

For a planner who asks "why did it order 48 of these?": the demand class, the model the
backtest chose and the candidates it beat, the history it learned from, the demand over
the protection interval and the quantile ordered up to, and the line of that night with
the numbers behind it and its flags. One read through `services.item_explanations`.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.commands.base import CliError, add_config, add_json, services
from cli.exit_codes import ExitCode


def register(commands: Any) -> None:
    explain = commands.add_parser(
        "explain",
        help="why a quantity was proposed for one item at one location",
        description="Everything the night knew about one item-location: demand class, the "
        "model chosen and the candidates it beat with their backtest errors, fallbacks, "
        "history, capped spikes and stock-out periods, the demand over the protection "
        "interval and the quantile at the service level, and the order line of that night "
        "with its numbers and flags.",
    )
    explain.add_argument("sku", metavar="SKU", help="the item, as the extract spells it")
    explain.add_argument("location", metavar="LOCATION", help="its location")
    explain.add_argument(
        "--run",
        dest="run_id",
        default=None,
        help="the run id or its first 8 characters (default: the latest run that forecast it)",
    )
    add_json(explain)
    add_config(explain)
    explain.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from cli.explanation_text import render_explanation
    from services.item_explanations import NotForecast, explain_item
    from services.run_ids import UnknownRun

    wired = services(args.config)
    try:
        found = explain_item(wired.uow, args.sku, args.location, args.run_id)
    except (UnknownRun, NotForecast) as unknown:
        raise CliError(str(unknown)) from None
    finally:
        wired.engine.dispose()
    if args.json:
        print(json.dumps(found.as_dict(), indent=2))
    else:
        print(render_explanation(found))
    return ExitCode.SUCCEEDED
