"""`replenish run`: one nightly run, its summary as text or as the JSON contract
(`docs/run-summary.schema.json`), and the run's status as the exit code."""

from __future__ import annotations

import argparse
import json
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Any

from cli.commands.base import (
    CliError,
    RunFailed,
    add_as_of,
    add_config,
    add_json,
    add_source,
    check_source,
    load,
)
from cli.exit_codes import ExitCode, for_status


def register(commands: Any) -> None:
    run_parser = commands.add_parser(
        "run",
        help="one nightly run on a source folder",
        description="Extract, validate, forecast, plan, flag, route, submit and report, once.",
    )
    add_source(run_parser)
    add_config(
        run_parser,
        "TOML config file (see config.example.toml); REPLENISH_* variables override it",
    )
    add_as_of(run_parser, "the date to plan for, YYYY-MM-DD (default today in schedule_timezone)")
    add_json(run_parser, "print one JSON object with the run summary")
    run_parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    summary = execute_run(args.source, args.config, args.as_of, show_progress=not args.json)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        from contracts.run_summary import summary_from_json
        from services.run_summary import render_text

        print(render_text(summary_from_json(summary)))
    return for_status(str(summary["status"]))


def execute_run(
    source: Path | None, config: Path | None, as_of: date | None, *, show_progress: bool = False
) -> dict[str, Any]:
    """Run the nightly flow once and return its summary, whether it succeeded or stopped.

    With `show_progress` the stage and block show on stderr while it runs (a bar on a
    terminal, plain lines elsewhere); stdout stays the summary alone."""
    check_source(source)
    settings = load(config)  # fail fast, before starting Prefect
    if source is None and settings.source.kind == "csv_folder" and settings.source.folder is None:
        raise CliError("no source: give --source DIR, or set source.folder in the config file")

    from cli.progress_bar import night_progress
    from flows.nightly import nightly_replenishment
    from flows.outcomes import summary_of

    with night_progress() if show_progress else nullcontext():
        state = nightly_replenishment(
            source=str(source.resolve()) if source else None,
            as_of=as_of,
            config=str(config.resolve()) if config else None,
            return_state=True,
        )
    result = state.result(raise_on_failure=False)
    summary = summary_of(result) or _recorded(settings, state.state_details.flow_run_id)
    if summary is None:
        # Failed before the database recorded it (README: `failed`, exit 1, not a usage error).
        raise RunFailed(f"the run failed: {state.message or result}")
    return summary


def _recorded(settings: Any, flow_run_id: object) -> dict[str, Any] | None:
    """The summary the run recorded before it raised (a bug, the database gone while it
    ran): `failed`, with the stage and the cause. None when nothing was recorded."""
    from replenish.bootstrap import build
    from services.runs import recorded_summary

    if flow_run_id is None:
        return None
    try:
        services = build(settings, run_migrations=False)
    except Exception:
        return None
    try:
        return recorded_summary(services.uow, str(flow_run_id))
    except Exception:
        return None
    finally:
        services.engine.dispose()
