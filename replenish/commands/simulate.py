"""`replenish simulate`: replay the ordering policy over history, beside a min/max baseline.

Reads and validates the folder exactly as the nightly run does, so the replay sees the
same accepted rows; the arithmetic is `purchasing.simulation`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

EXIT_USAGE = 2


def run(args: argparse.Namespace) -> int:
    """Print the policy and baseline figures (a table, or one JSON object with --json)."""
    from dataquality import validate
    from integrations.sources.csv_folder import read_csv_folder
    from integrations.sources.errors import SourceError
    from purchasing.service_curve import DEFAULT_TARGETS, dominates
    from purchasing.simulation import simulate
    from replenish.curve_plot import write_curve_svg
    from replenish.run_date import run_date
    from replenish.settings import SettingsError, load_settings

    if not args.source.is_dir():
        return _fail(f"source folder {args.source} does not exist or is not a folder")
    try:
        settings = load_settings(args.config)
        raw = read_csv_folder(args.source)
    except (SettingsError, SourceError) as error:
        return _fail(str(error))
    as_of: date = args.as_of or run_date(settings.schedule_timezone)
    checked = validate(raw.frames, as_of=as_of, rules=settings.validation)
    policy = settings.policy
    if args.estimates or args.refit_every:
        policy = policy.model_copy(
            update={
                "simulation_estimates": args.estimates or policy.simulation_estimates,
                "simulation_refit_every_days": args.refit_every
                or policy.simulation_refit_every_days,
            }
        )
    result = simulate(
        checked.tables["items"],
        checked.tables["demand"],
        as_of=as_of,
        frequency=settings.forecast.frequency,
        days_per_period=settings.forecast.days_per_period,
        params=policy,
        forecast_params=settings.forecast,
        curve_targets=DEFAULT_TARGETS,
    )
    curve = result.curve or {"policy": [], "baseline": []}
    plot = write_curve_svg(
        curve, args.plot, f"Service against inventory ({policy.simulation_estimates} estimates)"
    )
    if args.json:
        print(json.dumps({"policy": result.policy, "baseline": result.baseline,
                          "curve": curve, "curve_dominates": dominates(curve),
                          "plot": str(plot)}, indent=2))  # fmt: skip
    else:
        print(render(result.policy, result.baseline, unmet=policy.simulation_unmet_demand))
        print(f"Service curves (inventory value against fill rate) drawn to {plot}")
    return 0


def _fail(message: str) -> int:
    print(f"replenish: error: {message}", file=sys.stderr)
    return EXIT_USAGE


_ROWS = (
    ("fill rate", "fill_rate", "{:.1%}"),
    ("cycle service level", "cycle_service_level", "{:.1%}"),
    ("  target", "target_service_level", "{:.1%}"),
    ("average inventory value", "avg_inventory_value", "{:,.2f}"),
    ("orders placed", "orders", "{:,}"),
    ("periods with a stock-out", "stockout_periods", "{:,}"),
)


def render(policy: dict[str, Any], baseline: dict[str, Any], *, unmet: str) -> str:
    """A two-column table a buyer can read: what the product does against the spreadsheet."""
    lines = [
        f"Replay of {policy['series']:,} item-locations over {policy['periods']:,} "
        f"series-periods (unmet demand {unmet}).",
        f"{'':26}{'policy':>14}{'min/max baseline':>18}",
    ]
    for label, key, fmt in _ROWS:
        lines.append(f"{label:26}{fmt.format(policy[key]):>14}{fmt.format(baseline[key]):>18}")
    return "\n".join(lines)
