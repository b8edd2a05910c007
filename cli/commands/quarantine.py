"""`replenish quarantine`: the rows a run refused, with reasons, for the data owner."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from cli.commands.base import CliError, add_config, services
from cli.exit_codes import ExitCode

FIELDS = ["file", "line", "reasons", "field", "detail", "sku", "location", "raw"]


def register(commands: Any) -> None:
    quarantine = commands.add_parser(
        "quarantine",
        help="list the quarantined input rows of a run, with reasons",
        description="The rows a run refused, with file, line, reason and the raw values, so "
        "a data owner can fix them at the source.",
    )
    quarantine.add_argument(
        "--run", dest="run_id", default=None,
        help="run id or its first 8 characters (default: latest)",
    )  # fmt: skip
    quarantine.add_argument("--csv", type=Path, default=None, help="write the rows to this CSV")
    quarantine.add_argument(
        "--trend",
        action="store_true",
        help="instead: the share of quarantined rows per file per night, over all runs",
    )
    add_config(quarantine)
    quarantine.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    built = services(args.config)
    if args.trend:
        with built.uow() as uow:
            trend = uow.runs.quarantine_trend()
        print("night       share   file")
        for night, file, share in trend:
            print(f"{night}  {share:6.1%}  {file}")
        return ExitCode.SUCCEEDED
    with built.uow() as uow:
        found = uow.runs.get(_run_id(uow, args.run_id)) if args.run_id else uow.runs.latest()
        if found is None:
            raise CliError("no runs yet")
        rows = uow.runs.dispositions(found.id)
    table = [{name: getattr(row, name) for name in FIELDS} for row in rows]
    if args.csv:
        _write_csv(args.csv, table)
        print(f"Wrote {len(table)} quarantined rows of run {found.id} to {args.csv}")
        return ExitCode.SUCCEEDED
    print(f"Run {found.id} ({found.as_of}): {len(table)} quarantined rows")
    for r in table:
        print(f"  {r['file']}:{r['line']}  {r['reasons']}  {r['detail']}")
    return ExitCode.SUCCEEDED


def _run_id(uow: Any, given: str) -> str:
    """The full id of the run named by its id or first 8 characters (`services.run_ids`)."""
    from services.run_ids import UnknownRun, full_run_id

    try:
        return full_run_id(uow, given)
    except UnknownRun as unknown:
        raise CliError(str(unknown)) from None


def _write_csv(path: Path, table: list[dict[str, Any]]) -> None:
    from cli.safe_output import csv_cell

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        # every cell neutralised: the data owner opens this in a spreadsheet
        writer.writerows(
            {k: csv_cell(v) for k, v in {**r, "raw": json.dumps(r["raw"])}.items()} for r in table
        )
