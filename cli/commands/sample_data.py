"""`replenish sample-data`: a realistic input folder to try the product on."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.commands.base import add_sample_size, iso_date, share, today
from cli.exit_codes import ExitCode


def register(commands: Any) -> None:
    sample = commands.add_parser(
        "sample-data",
        help="write a realistic input folder to try the product on",
        description="Write one night's extract (items, suppliers, demand, stock, open orders) "
        "in the CSV folder format, deterministic for a given seed and date.",
    )
    sample.add_argument("--out", type=Path, required=True, help="folder to write (created)")
    add_sample_size(sample)
    sample.add_argument(
        "--dirty",
        type=share,
        default=0.03,
        help="share of dirty rows: duplicates, missing values, odd formats, unknown SKUs "
        "(default 0.03)",
    )
    sample.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        help="the night the extract is for, YYYY-MM-DD (default today); "
        "history ends the day before",
    )
    sample.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from cli.sample_data import write_sample_data

    summary = write_sample_data(
        args.out, items=args.items, seed=args.seed, dirty=args.dirty, as_of=args.as_of or today()
    )
    print(f"Wrote sample data to {summary.out_dir}:")
    for name, rows in summary.files.items():
        print(f"  {name}: {rows:,} rows")
    dirt = ", ".join(f"{kind} {n}" for kind, n in summary.dirty_rows.items() if n)
    print(f"  dirty rows: {dirt or 'none'}")
    return ExitCode.SUCCEEDED
