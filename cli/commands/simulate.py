"""`replenish simulate`: replay the ordering policy over history, beside a min/max baseline.

Reads the configured source (or `--source DIR`) and validates it exactly as the nightly
run does, so the replay sees the same accepted rows; the arithmetic is
`purchasing.simulation`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cli.commands.extract import add_extract_options, read_checked
from cli.exit_codes import ExitCode
from domain.money import format_amount


def register(commands: Any) -> None:
    simulate = commands.add_parser(
        "simulate",
        help="replay the ordering policy over history: fill rate, service level, inventory",
        description="Replay the ordering policy over a stretch of history (each step uses only "
        "what was known then; orders arrive after their lead time) and compare it with a naive "
        "min/max baseline set from average demand.",
    )
    add_extract_options(simulate)
    simulate.add_argument(
        "--estimates", choices=["engine", "trailing"], default=None,
        help="demand estimates of each review: the forecasting engine refitted every "
        "--refit-every days, or a trailing window (default: policy.simulation_estimates)",
    )  # fmt: skip
    simulate.add_argument(
        "--refit-every", type=float, default=None, metavar="DAYS",
        help="days between refits of the engine (default: policy.simulation_refit_every_days)",
    )  # fmt: skip
    simulate.add_argument(
        "--plot", type=Path, default=Path("simulate-curve.svg"),
        help="SVG file the service curves are drawn to (default simulate-curve.svg)",
    )  # fmt: skip
    simulate.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    """Print the policy and baseline figures (a table, or one JSON object with --json)."""
    from cli.curve_plot import write_curve_svg
    from cli.progress_bar import model_progress
    from purchasing.service_curve import (
        DEFAULT_TARGETS,
        dominates,
        inventory_saving_at_equal_fill,
        savings_at_equal_fill,
    )
    from purchasing.simulation import simulate

    extract = read_checked(args)
    settings, checked = extract.settings, extract.checked
    policy = settings.policy
    if args.estimates or args.refit_every:
        policy = policy.model_copy(
            update={
                "simulation_estimates": args.estimates or policy.simulation_estimates,
                "simulation_refit_every_days": args.refit_every
                or policy.simulation_refit_every_days,
            }
        )
    with model_progress(not args.json):
        result = simulate(
            checked.tables["items"],
            checked.tables["demand"],
            as_of=extract.as_of,
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
    saving = inventory_saving_at_equal_fill(curve)
    if args.json:
        curve_json = {
            **curve,
            "inventory_saving_at_equal_fill": saving,
            "savings_at_equal_fill": savings_at_equal_fill(curve),
        }
        print(json.dumps({"policy": result.policy, "baseline": result.baseline,
                          "curve": curve_json, "curve_dominates": dominates(curve),
                          "plot": str(plot)}, indent=2))  # fmt: skip
    else:
        print(render(result.policy, result.baseline, unmet=policy.unmet_demand))
        if saving is not None:
            print(
                f"At the fill rate the spreadsheet reaches at its 95% setting, the policy "
                f"holds {saving:.0%} less average inventory value."
            )
        print(f"Service curves (inventory value against fill rate) drawn to {plot}")
    return ExitCode.SUCCEEDED


_ROWS = (
    ("fill rate", "fill_rate", "{:.1%}".format),
    ("cycle service level", "cycle_service_level", "{:.1%}".format),
    ("  target", "target_service_level", "{:.1%}".format),
    ("average inventory value", "avg_inventory_value", format_amount),
    ("orders placed", "orders", "{:,}".format),
    ("periods with a stock-out", "stockout_periods", "{:,}".format),
)


def render(policy: dict[str, Any], baseline: dict[str, Any], *, unmet: str) -> str:
    """A two-column table a buyer can read: what the product does against the spreadsheet."""
    lines = [
        f"Replay of {policy['series']:,} item-locations over {policy['periods']:,} "
        f"series-periods (unmet demand {unmet}).",
        f"{'':26}{'policy':>14}{'min/max baseline':>18}",
    ]
    for label, key, fmt in _ROWS:
        lines.append(f"{label:26}{fmt(policy[key]):>14}{fmt(baseline[key]):>18}")
    return "\n".join(lines)
