"""`replenish demo`: sample data plus one run on the embedded defaults, and where to look."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.commands.base import add_sample_size, today
from cli.exit_codes import ExitCode, for_status


def register(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="sample data plus one run on the embedded defaults",
        description="Write sample data to demo/data and run the nightly flow on it with the "
        "embedded defaults (SQLite file, e-mails to ./outbox, orders to ./erp-drop).",
    )
    add_sample_size(demo)
    demo.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from cli.commands.nightly import execute_run
    from cli.commands.review_link import digest_link_for_busiest
    from cli.sample_data import write_sample_data
    from contracts.run_summary import summary_from_json
    from services.run_summary import render_text

    as_of = today()
    folder = Path("demo") / "data"
    sample = write_sample_data(folder, items=args.items, seed=args.seed, dirty=0.03, as_of=as_of)
    print(f"Sample data for {as_of}: {sum(sample.files.values()):,} rows in {folder}/")
    summary = execute_run(folder, None, as_of)
    print()
    print(render_text(summary_from_json(summary)))
    print()
    print("Where to look next:")
    print("  - the purchase orders sent to the ERP: erp-drop/*.json (one file per order)")
    print("  - the e-mails to buyers for flagged orders: outbox/*.eml")
    link = digest_link_for_busiest()
    if link:
        print("  - decide the flagged orders in the browser: start the review page with")
        print("      replenish review-server        (. .venv/bin/activate first)")
        print(f"    and open the buyer's link (from the e-mail in outbox/): {link}")
    refused = f"replenish quarantine --run {summary['run_id']}"
    print(f"  - the rows refused by the data-quality gate: {refused}")
    print("  - run again: orders already proposed for today are not created or sent twice")
    return for_status(str(summary["status"]))
