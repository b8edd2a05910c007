"""`python -m benchmarks [validate|frames|forecast|plan|search|accuracy|night|policy ...] [--quick]
[--json [FILE]] [--series N] [--dask ADDRESS]`.

Kept free of pandas and the product at import time: every measured step runs in a
spawned child that imports this module again, and it must not pay for what it does not
measure.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.harness import Options, Report, load_average, progress, render

BENCHMARKS = {
    "validate": "benchmarks.validate",
    "frames": "benchmarks.frame_checks",
    "forecast": "benchmarks.forecast",
    "plan": "benchmarks.plan",
    "search": "benchmarks.model_search",
    "accuracy": "benchmarks.accuracy",
    "replay": "benchmarks.replay",
    "night": "benchmarks.night",
    "policy": "benchmarks.policy",
}
# Run only when named: judged by service and stock on real data, not a speed figure, and
# 30-60 minutes with its engine refits (benchmarks/README.md).
ON_REQUEST = frozenset({"policy"})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure replenish's stages next to the plain libraries on the same data.",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run ({', '.join(BENCHMARKS)}); all when none is given",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--json", type=Path, metavar="FILE", nargs="?", const=Path("-"),
        help="also write all figures here; --json alone: print them as JSON on stdout "
        "(the tables then go to stderr)",
    )  # fmt: skip
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N", help="runs per step; the median is shown"
    )
    parser.add_argument(
        "--forecast-budget",
        type=float,
        metavar="SECONDS",
        help="model time the forecast benchmark may spend before it measures a sample "
        "of the series instead (default 420, 90 with --quick; 0 = never sample)",
    )
    parser.add_argument(
        "--series",
        type=int,
        metavar="N",
        help="night: item-locations in the generated catalogue (default 2,000, 300 with --quick)",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="night: run the forecast on this Dask cluster (forecast.dask_address, "
        "e.g. local:2 or tcp://host:8786)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks in order, print a table after each, optionally save JSON."""
    args = _parser().parse_args(argv)
    if args.repeat < 1:
        _parser().error("--repeat must be at least 1")
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        _parser().error(
            f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    names = list(dict.fromkeys(args.names)) or [n for n in BENCHMARKS if n not in ON_REQUEST]
    if args.series is not None and args.series < 1:
        _parser().error("--series must be at least 1")
    options = Options(
        quick=args.quick,
        repeat=args.repeat,
        forecast_budget_s=args.forecast_budget,
        series=args.series,
        dask_address=args.dask,
    )
    started = datetime.now(UTC)
    context = {
        "started": started.isoformat(timespec="seconds"),
        "load_average_at_start": load_average(),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {_cpus()} CPUs",
        "quick": args.quick,
        "repeat": args.repeat,
    }
    to_stdout = args.json == Path("-")
    tables = sys.stderr if to_stdout else sys.stdout  # stdout: the JSON alone
    print(
        f"replenish benchmarks, {context['started']}; "
        f"load average {context['load_average_at_start']}; {context['machine']}; "
        f"python {context['python']}" + ("; --quick" if args.quick else ""),
        file=tables,
    )
    reports: list[dict[str, object]] = []
    for name in names:
        clock = time.perf_counter()
        module = importlib.import_module(BENCHMARKS[name])
        report: Report = module.benchmark(options)
        report.facts.append(
            ("benchmark time", f"{time.perf_counter() - clock:,.0f} s incl. set-up")
        )
        report.facts.append(("load average after", load_average()))
        print(file=tables)
        print(render(report), file=tables, flush=True)
        reports.append(report.to_json())
        if args.json and not to_stdout:  # after each benchmark: a crash keeps what was measured
            _write_json(args.json, context, reports)
    if to_stdout:
        print(json.dumps(_body(context, reports), indent=2, default=str))
    elif args.json:
        progress(f"figures written to {args.json}")
    return 0


def _cpus() -> int:
    return os.cpu_count() or 1


def _write_json(path: Path, context: dict[str, object], reports: list[dict[str, object]]) -> None:
    path.write_text(json.dumps(_body(context, reports), indent=2, default=str) + "\n")


def _body(context: dict[str, object], reports: list[dict[str, object]]) -> dict[str, object]:
    # One benchmark alone (`night --json`): its figures also at the top level, where a
    # script reading `run_seconds` or `peak_rss_mb` looks first.
    alone = {k: v for k, v in reports[0].items() if k not in context} if len(reports) == 1 else {}
    return {**alone, **context, "benchmarks": reports}


if __name__ == "__main__":
    sys.exit(main())
