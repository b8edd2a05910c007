"""The `replenish` command: sample data, a nightly run, the demo, the quarantine list,
the backtest and simulation reports, and the review of orders waiting for a person.

Errors a person can fix (a missing folder, a bad date, a broken file) are one line on
stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

#: Exit codes of `replenish run`, `demo` and `submit` (README, "Commands").
EXIT_RUN_FAILED = 1  # the run stopped on its input, or failed
EXIT_USAGE = 2
EXIT_RUN_PARTIAL = 4  # orders proposed, but some not sent to the ERP or not announced
EXIT_STOOD_ASIDE = 5  # another run held the lock: nothing was done, nothing is wrong


class CliError(Exception):
    """A problem the user can fix; printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} must be between 0 and 1 (e.g. 0.05 for 5%)")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="replenish",
        description=(
            "Nightly replenishment: forecast demand for every item and location, turn it "
            "into purchase orders, send the ordinary ones to the ERP and only the "
            "exceptions to a buyer."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sample = commands.add_parser(
        "sample-data",
        help="write a realistic input folder to try the product on",
        description="Write one night's extract (items, suppliers, demand, stock, open orders) "
        "in the CSV folder format, deterministic for a given seed and date.",
    )
    sample.add_argument("--out", type=Path, required=True, help="folder to write (created)")
    sample.add_argument("--items", type=_positive, default=60, help="number of SKUs (default 60)")
    sample.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    sample.add_argument(
        "--dirty",
        type=_share,
        default=0.03,
        help="share of dirty rows: duplicates, missing values, odd formats, unknown SKUs "
        "(default 0.03)",
    )
    sample.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help="the night the extract is for, YYYY-MM-DD (default today); "
        "history ends the day before",
    )

    run = commands.add_parser(
        "run",
        help="one nightly run on a source folder",
        description="Extract, validate, forecast, plan, flag, route, submit and report, once.",
    )
    run.add_argument(
        "--source",
        type=Path,
        default=None,
        help="folder with the CSV extract (default: the source in the config file, a folder "
        "or a SQL database)",
    )
    run.add_argument(
        "--config",
        type=Path,
        default=None,
        help="TOML config file (see config.example.toml); REPLENISH_* variables override it",
    )
    run.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help="the date to plan for, YYYY-MM-DD (default today in schedule_timezone)",
    )
    run.add_argument(
        "--json", action="store_true", help="print one JSON object with the run summary"
    )

    demo = commands.add_parser(
        "demo",
        help="sample data plus one run on the embedded defaults",
        description="Write sample data to demo/data and run the nightly flow on it with the "
        "embedded defaults (SQLite file, e-mails to ./outbox, orders to ./erp-drop).",
    )
    demo.add_argument("--items", type=_positive, default=60, help="number of SKUs (default 60)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")

    backtest = commands.add_parser(
        "backtest",
        help="forecast accuracy by rolling origin, per demand class, against seasonal naive",
        description="Rolling-origin backtest (W windows of H periods) of the models the "
        "nightly run would choose, per demand class and overall: MASE, RMSSE, bias and "
        "quantile coverage, beside seasonal naive. MASE is scaled per series by the in-sample "
        "seasonal naive error and averaged over series (as the M4/Monash benchmarks do); on "
        "intermittent demand it rewards an all-zero forecast, so read RMSSE and coverage too.",
    )
    backtest.add_argument("--source", type=Path, required=True, help="folder with the extract")
    backtest.add_argument("--horizon", type=_positive, default=None, help="periods per window")
    backtest.add_argument("--windows", type=_positive, default=None, help="number of windows")
    backtest.add_argument("--as-of", type=_date, default=None, help="YYYY-MM-DD (default today)")
    backtest.add_argument("--config", type=Path, default=None, help="TOML config file")
    backtest.add_argument("--json", action="store_true", help="print one JSON object")

    simulate = commands.add_parser(
        "simulate",
        help="replay the ordering policy over history: fill rate, service level, inventory",
        description="Replay the ordering policy over a stretch of history (each step uses only "
        "what was known then; orders arrive after their lead time) and compare it with a naive "
        "min/max baseline set from average demand.",
    )
    simulate.add_argument("--source", type=Path, required=True, help="folder with the extract")
    simulate.add_argument("--as-of", type=_date, default=None, help="YYYY-MM-DD (default today)")
    simulate.add_argument("--config", type=Path, default=None, help="TOML config file")
    simulate.add_argument("--json", action="store_true", help="print one JSON object")
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

    submit = commands.add_parser(
        "submit",
        help="send approved (and earlier failed) orders to the ERP now, exactly once",
        description="Send every approved order and every order whose submission failed "
        "to the ERP, without waiting for the next nightly run. An order already in the ERP "
        "is recognised by its key and not sent again.",
    )
    submit.add_argument("--config", type=Path, default=None, help="TOML config file")
    submit.add_argument("--json", action="store_true", help="print one JSON object")

    quarantine = commands.add_parser(
        "quarantine",
        help="list the quarantined input rows of a run, with reasons",
        description="The rows a run refused, with file, line, reason and the raw values, so "
        "a data owner can fix them at the source.",
    )
    quarantine.add_argument("--run", dest="run_id", default=None, help="run id (default: latest)")
    quarantine.add_argument("--csv", type=Path, default=None, help="write the rows to this CSV")
    quarantine.add_argument(
        "--trend",
        action="store_true",
        help="instead: the share of quarantined rows per file per night, over all runs",
    )
    quarantine.add_argument("--config", type=Path, default=None, help="TOML config file")

    from replenish.commands import reconcile, review, serve

    reconcile.add_parser(commands)
    review.add_parser(commands)
    serve.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from replenish.safe_output import safe_terminal

    with safe_terminal():  # values from input files never drive the operator's terminal
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    _quiet_prefect_defaults()
    try:
        match args.command:
            case "sample-data":
                return _sample_data(args)
            case "run":
                return _run(args.source, args.config, args.as_of, as_json=args.json)
            case "demo":
                return _demo(args)
            case "quarantine":
                return _quarantine(args)
            case "submit":
                from replenish.commands import submit as submit_command

                return submit_command.run(args)
            case "backtest":
                from replenish.commands import backtest as backtest_command

                return backtest_command.run(args)
            case "simulate":
                from replenish.commands import simulate as simulate_command

                return simulate_command.run(args)
            case "reconcile":
                from replenish.commands import reconcile

                return reconcile.run(args)
            case "review":
                from replenish.commands import review as review_command

                return review_command.run(args)
            case "review-server":
                from replenish.commands import serve

                return serve.serve(args)
    except CliError as error:
        print(f"replenish: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def _quiet_prefect_defaults() -> None:
    # No telemetry from a customer's machine, and no crash reports about it either.
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The temporary Prefect server takes 10-20 s to start on two busy cores; Prefect's
    # default of 20 s would fail a night's run for want of patience.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def today(config: Path | None = None) -> date:
    """Today in the schedule's time zone: the same day the nightly run would plan for."""
    from replenish.run_date import run_date
    from replenish.settings import SettingsError, load_settings

    try:
        timezone = load_settings(config).schedule_timezone
    except SettingsError as error:
        raise CliError(str(error)) from None
    return run_date(timezone)


def exit_code(status: str) -> int:
    """0 succeeded, 1 stopped or failed, 4 partial, 5 stood aside (see EXIT_*)."""
    codes = {"succeeded": 0, "partial": EXIT_RUN_PARTIAL, "stood_aside": EXIT_STOOD_ASIDE}
    return codes.get(status, EXIT_RUN_FAILED)


def _sample_data(args: argparse.Namespace) -> int:
    from replenish.sample_data import write_sample_data

    summary = write_sample_data(
        args.out, items=args.items, seed=args.seed, dirty=args.dirty, as_of=args.as_of or today()
    )
    print(f"Wrote sample data to {summary.out_dir}:")
    for name, rows in summary.files.items():
        print(f"  {name}: {rows:,} rows")
    dirt = ", ".join(f"{kind} {n}" for kind, n in summary.dirty_rows.items() if n)
    print(f"  dirty rows: {dirt or 'none'}")
    return 0


def _run(source: Path, config: Path | None, as_of: date | None, *, as_json: bool) -> int:
    summary = execute_run(source, config, as_of)
    if as_json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        from replenish.run_summary import render_text

        print(render_text(summary))
    return exit_code(str(summary["status"]))


def execute_run(source: Path | None, config: Path | None, as_of: date | None) -> dict[str, Any]:
    """Run the nightly flow once and return its summary, whether it succeeded or stopped."""
    if source is not None and not source.is_dir():
        raise CliError(f"source folder {source} does not exist or is not a folder")
    if config is not None and not config.is_file():
        raise CliError(f"config file {config} not found")
    from replenish.settings import SettingsError, load_settings

    try:
        settings = load_settings(config)  # fail fast, before starting Prefect
    except SettingsError as error:
        raise CliError(str(error)) from None
    if source is None and settings.source.kind == "csv_folder" and settings.source.folder is None:
        raise CliError("no source: give --source DIR, or set source.folder in the config file")

    from flows.nightly import nightly_replenishment

    state = nightly_replenishment(
        source=str(source.resolve()) if source else None,
        as_of=as_of,
        config=str(config.resolve()) if config else None,
        return_state=True,
    )
    from flows.outcomes import summary_of

    result = state.result(raise_on_failure=False)
    summary = summary_of(result)
    if summary is None:
        raise CliError(f"the run crashed: {state.message or result}")
    return summary


def _demo(args: argparse.Namespace) -> int:
    from replenish.run_summary import render_text
    from replenish.sample_data import write_sample_data

    as_of = today()
    folder = Path("demo") / "data"
    sample = write_sample_data(folder, items=args.items, seed=args.seed, dirty=0.03, as_of=as_of)
    print(f"Sample data for {as_of}: {sum(sample.files.values()):,} rows in {folder}/")
    summary = execute_run(folder, None, as_of)
    print()
    print(render_text(summary))
    print()
    print("Where to look next:")
    print("  - the purchase orders sent to the ERP: erp-drop/*.json (one file per order)")
    print("  - the e-mails to buyers for flagged orders: outbox/*.eml")
    link = _demo_review_link()
    if link:
        print("  - decide the flagged orders in the browser: start the review page with")
        print("      .venv/bin/replenish review-server")
        print(f"    and open the buyer's link (from the e-mail in outbox/): {link}")
    refused = f"replenish quarantine --run {summary['run_id']}"
    print(f"  - the rows refused by the data-quality gate: {refused}")
    print("  - run again: orders already proposed for today are not created or sent twice")
    return exit_code(str(summary["status"]))


def _demo_review_link() -> str | None:
    """The digest link of the buyer with the most waiting orders, as the e-mail has it."""
    from replenish.commands.review import digest_link_for_busiest

    return digest_link_for_busiest()


def _quarantine(args: argparse.Namespace) -> int:
    from replenish.bootstrap import build
    from replenish.settings import SettingsError, load_settings

    try:
        services = build(load_settings(args.config))
    except SettingsError as error:
        raise CliError(str(error)) from None
    if args.trend:
        with services.uow() as uow:
            trend = uow.runs.quarantine_trend()
        print("night       share   file")
        for night, file, share in trend:
            print(f"{night}  {share:6.1%}  {file}")
        return 0
    with services.uow() as uow:
        run = uow.runs.get(args.run_id) if args.run_id else uow.runs.latest()
        if run is None:
            raise CliError(f"no run {args.run_id}" if args.run_id else "no runs yet")
        rows = uow.runs.dispositions(run.id)
    from replenish.safe_output import csv_cell

    fields = ["file", "line", "reasons", "field", "detail", "sku", "location", "raw"]
    table = [{name: getattr(row, name) for name in fields} for row in rows]
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            # every cell neutralised: the data owner opens this in a spreadsheet
            writer.writerows(
                {k: csv_cell(v) for k, v in {**r, "raw": json.dumps(r["raw"])}.items()}
                for r in table
            )
        print(f"Wrote {len(table)} quarantined rows of run {run.id} to {args.csv}")
        return 0
    print(f"Run {run.id} ({run.as_of}): {len(table)} quarantined rows")
    for r in table:
        print(f"  {r['file']}:{r['line']}  {r['reasons']}  {r['detail']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
