"""`replenish shadow-report`: a shadow night's proposals against what the buyers ordered."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cli.commands.base import CliError, add_config, add_json, load, services
from cli.exit_codes import ExitCode

SHOWN = 20


def register(commands: Any) -> None:
    report = commands.add_parser(
        "shadow-report",
        help="compare a shadow night's proposals with what the buyers ordered after it",
        description="Per item-location, what the product proposed on a night in shadow mode "
        "(rollout.mode = 'shadow': recorded, never sent) against the buyers' orders placed "
        "since: the open orders of a later extract that the night's own extract did not "
        "hold. Matched items, units and value on each side, and the items only one side "
        "ordered.",
    )
    report.add_argument(
        "--source", dest="later", action="append", type=Path, default=None,
        help="a later night's extract folder (repeat for several nights; default: the "
        "configured source)",
    )  # fmt: skip
    report.add_argument(
        "--baseline", type=Path, default=None,
        help="the extract the shadow night read (default: the folder its run recorded)",
    )  # fmt: skip
    report.add_argument("--run", default=None, help="the shadow night's run (default: latest)")
    add_config(report)
    add_json(report)
    report.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from integrations.sources.base import CsvFolderSource
    from integrations.sources.errors import SourceError
    from replenish.bootstrap import open_source
    from services.run_ids import UnknownRun
    from services.shadow_comparison import NoShadowNight, compare_shadow_night

    settings = load(args.config)
    built = services(args.config)
    try:
        later = (
            [CsvFolderSource(folder) for folder in args.later]
            if args.later
            else [open_source(settings, None)]
        )
        baseline = CsvFolderSource(args.baseline) if args.baseline else None
        result = compare_shadow_night(
            built.uow, later, settings.validation, settings.currency.base,
            run=args.run, baseline=baseline,
        )  # fmt: skip
    except (NoShadowNight, UnknownRun, SourceError) as error:
        raise CliError(str(error)) from None
    finally:
        built.engine.dispose()
    print(json.dumps(result.model_dump(mode="json"), indent=2) if args.json else _text(result))
    return ExitCode.SUCCEEDED


def _text(result: Any) -> str:
    from domain.money import format_totals

    def side(name: str, part: Any) -> str:
        return (
            f"  {name}: {part.items} item-locations; units proposed {part.proposed_units}, "
            f"ordered {part.ordered_units}; value proposed "
            f"{format_totals(part.proposed_value) or '0.00'}, ordered "
            f"{format_totals(part.ordered_value) or '0.00'}"
        )

    lines = [
        f"Shadow night {result.as_of} (run {result.run_id[:8]}): {result.shadow_orders} orders "
        f"proposed, nothing sent; the buyers placed {result.buyer_orders} orders since.",
        f"  Compared: {result.baseline} -> {', '.join(result.later)}",
        side("Both ordered", result.matched),
        side("Only the product would have ordered", result.product_only),
        side("Only the buyers ordered", result.buyers_only),
        f"  Value proposed {format_totals(result.proposed_value) or '0.00'}, ordered by the "
        f"buyers {format_totals(result.ordered_value) or '0.00'}.",
        "",
        f"  {'sku':<14}{'location':<12}{'side':<14}{'proposed':>10}{'ordered':>10}",
    ]
    for item in result.items[:SHOWN]:
        lines.append(
            f"  {item.sku:<14}{item.location:<12}{item.side:<14}"
            f"{item.proposed_units:>10}{item.ordered_units:>10}"
        )
    if len(result.items) > SHOWN:
        lines.append(f"  ... {len(result.items) - SHOWN} more (--json lists every one)")
    lines.append(f"  Note: {result.note}")
    return "\n".join(lines)
