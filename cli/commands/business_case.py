"""`replenish business-case`: what the redesigned night would have done over the
extract's history, on one page a finance person reads.

Reads and validates the extract as `replenish simulate` does; the replay is
`services.business_case.build_business_case`, the page `cli.business_case_report`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.commands.base import CliError
from cli.commands.extract import add_extract_options, read_checked
from cli.exit_codes import ExitCode

DEFAULT_WEEKS = 13


def register(commands: Any) -> None:
    case = commands.add_parser(
        "business-case",
        help="replay the redesigned workflow over history: work taken off buyers, stock, "
        "service, against the spreadsheet",
        description="Replay the last weeks of the extract's history night by night through "
        "the nightly plan, flag and route code, beside a spreadsheet min/max, and write a "
        "one-page report (Markdown and HTML with a chart).",
    )
    add_extract_options(case)
    case.add_argument(
        "--weeks", type=int, default=DEFAULT_WEEKS, metavar="N",
        help=f"weeks of history replayed, one night per review (default {DEFAULT_WEEKS})",
    )  # fmt: skip
    case.add_argument(
        "--minutes-per-decision", type=float, default=None, metavar="MIN",
        help="a buyer's minutes per decision (default: value.minutes_per_decision)",
    )  # fmt: skip
    case.add_argument(
        "--estimates", choices=["trailing", "engine"], default="trailing",
        help="demand estimates of each review: a trailing window (default, minutes at "
        "catalogue size) or the forecasting engine refitted every "
        "policy.simulation_refit_every_days (one forecast of the catalogue per refit)",
    )  # fmt: skip
    case.add_argument(
        "--report", type=Path, default=Path("business-case.html"), metavar="FILE.html",
        help="the HTML page; the Markdown (.md) and the chart (.svg) are written beside it "
        "(default business-case.html)",
    )  # fmt: skip
    case.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    """Write the report; print its Markdown (or one JSON object with --json)."""
    from cli.business_case_report import write_report
    from cli.progress_bar import model_progress
    from services.business_case import build_business_case

    if args.weeks < 1:
        raise CliError("--weeks must be at least 1")
    if args.minutes_per_decision is not None and args.minutes_per_decision <= 0:
        raise CliError("--minutes-per-decision must be above 0")
    extract = read_checked(args)
    settings = extract.settings
    minutes = args.minutes_per_decision or settings.value.minutes_per_decision
    with model_progress(not args.json):
        case = build_business_case(
            extract.checked, settings, as_of=extract.as_of, weeks=args.weeks,
            minutes_per_decision=minutes, estimates=args.estimates,
        )  # fmt: skip
    written = write_report(case, args.report)
    if args.json:
        print(case.model_dump_json(indent=2))
    else:
        print(written.markdown.read_text(encoding="utf-8"))
        print(f"Report: {written.html} (chart {written.chart}, Markdown {written.markdown})")
    if not case.nights:
        print("No night of the replayed weeks ordered anything.", file=sys.stderr)
    return ExitCode.SUCCEEDED
