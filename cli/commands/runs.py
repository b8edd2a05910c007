"""`replenish runs`: the latest runs, and what one of them did ("what happened last night").

The list reads the `runs` table (every flow records its runs there, the nightly run and
the flows beside it); `runs show` prints a night's stored summary with the renderer the
night itself printed (`services.run_summary_text.render_text`), so the operator reads
the same words the next morning as `replenish run` printed, or the Prefect artifact shows.
Both go through `services.run_reports`: no database access here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cli.commands.base import CliError, add_config, add_json, positive, services
from cli.exit_codes import ExitCode

MESSAGE_CHARS = 100  # the listing's message column; --json and `runs show` give it whole


def register(commands: Any) -> None:
    from services.run_reports import FLOWS

    runs = commands.add_parser(
        "runs",
        help="the latest runs (nightly and beside it), newest first; `runs show` for one",
        description="The latest runs from the database, newest first: the night they "
        "planned for, when they started, how they ended, what they read and the one-line "
        "message. `replenish runs show [RUN_ID]` prints one run's summary as the night "
        "printed it (without RUN_ID: the latest night).",
    )
    runs.add_argument("--last", type=positive, default=10, help="how many (default 10)")
    runs.add_argument(
        "--flow", choices=FLOWS, default=None, help="only the runs of this flow (default: all)"
    )
    add_json(runs, "print one JSON array")
    add_config(runs)
    actions = runs.add_subparsers(dest="action")
    show = actions.add_parser(
        "show",
        help="one run's summary, as the night printed it",
        description="The summary the run stored when it ended, in words (the same as "
        "`replenish run` printed) or as `replenish run --json` printed it (--json).",
    )
    show.add_argument(
        "run_id",
        metavar="RUN_ID",
        nargs="?",
        default=None,
        help="the run id or its first 8 characters (default: the latest nightly run)",
    )
    # Taken before or after `show` alike: not given here, the value given before it stays.
    show.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print the summary as `replenish run --json` printed it",
    )
    show.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="TOML config file")
    runs.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    wired = services(args.config)
    try:
        if args.action == "show":
            return show(wired, args.run_id, as_json=args.json)
        return listing(wired, args.last, args.flow, as_json=args.json)
    finally:
        wired.engine.dispose()


def listing(wired: Any, last: int, flow: str | None, *, as_json: bool) -> ExitCode:
    from services.run_reports import recent_runs

    entries = recent_runs(wired.uow, last, flow)
    if as_json:
        print(json.dumps([entry.as_dict() for entry in entries], indent=2))
        return ExitCode.SUCCEEDED
    if not entries:
        print("No runs are recorded yet" + (f" for {flow}." if flow else "."))
        return ExitCode.SUCCEEDED
    print(f"{'RUN':<8}  {'AS OF':<10}  {'STARTED (UTC)':<16}  {'STATUS':<11}  SOURCE: MESSAGE")
    for entry in entries:
        message = " ".join(entry.message.split()) or "-"
        if len(message) > MESSAGE_CHARS:
            message = message[: MESSAGE_CHARS - 3] + "..."
        print(
            f"{entry.run_id[:8]:<8}  {entry.as_of}  {entry.started_at:%Y-%m-%d %H:%M}  "
            f"{entry.status:<11}  {entry.source}: {message}"
        )
    return ExitCode.SUCCEEDED


def show(wired: Any, run_id: str | None, *, as_json: bool) -> ExitCode:
    from cli.run_report_text import render_report
    from services.run_ids import UnknownRun
    from services.run_reports import run_report

    try:
        report = run_report(wired.uow, run_id)
    except UnknownRun as unknown:
        raise CliError(str(unknown)) from None
    if as_json:
        body = report.summary or report.run.as_dict()
        if report.segments:
            body = {**body, "segments": report.segments}
        print(json.dumps(body, indent=2, default=str))
    else:
        print(render_report(report))
    return ExitCode.SUCCEEDED
