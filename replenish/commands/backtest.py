"""`replenish backtest`: rolling-origin accuracy of the engine's models per demand class,
beside seasonal naive, on a folder in the data contract.

The folder goes through the same data-quality gate as a nightly run, so the backtest
scores the demand the forecast would really see. Errors are one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

EXIT_USAGE = 2


def run(args: argparse.Namespace) -> int:
    try:
        report = _report(args)
    except Exception as error:  # a command line shows one line, not a traceback
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"replenish: error: backtest: {message}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render_text(report))
    return 0


def _report(args: argparse.Namespace) -> dict[str, Any]:
    from dataquality import validate
    from forecasting.backtest import backtest
    from forecasting.backtest_report import summarise
    from integrations.sources.csv_folder import read_csv_folder
    from replenish.run_date import run_date
    from replenish.settings import load_settings

    if not args.source.is_dir():
        raise ValueError(f"source folder {args.source} does not exist or is not a folder")
    settings = load_settings(args.config)
    as_of: date = args.as_of or run_date(settings.schedule_timezone)
    raw = read_csv_folder(args.source)
    checked = validate(raw.frames, as_of=as_of, rules=settings.validation)
    result = backtest(
        checked.tables["demand"],
        checked.tables["items"],
        as_of=as_of,
        params=settings.forecast,
        horizon=args.horizon,
        windows=args.windows,
    )
    return {"as_of": as_of.isoformat(), **summarise(result)}


def render_text(report: dict[str, Any]) -> str:
    """A table a person reads: one row per class and method, coverage per level."""
    levels = list(report["overall"]["coverage"])
    header = f"{'class':<14}{'method':<16}{'series':>7}{'MASE':>8}{'RMSSE':>8}{'bias':>8}"
    header += "".join(f"{'cov ' + level:>10}" for level in levels)
    lines = [
        f"Backtest as of {report['as_of']}: {report['windows']} windows of "
        f"{report['horizon']} periods (frequency {report['frequency']})",
        "MASE/RMSSE: scaled by the in-sample seasonal naive error, averaged over series; "
        "bias > 0 over-forecasts.",
        "",
        header,
    ]
    naive = report["seasonal_naive"]
    by_class = report["by_class"].items()
    rows = [(name, block, naive["by_class"].get(name)) for name, block in by_class]
    rows.append(("overall", report["overall"], naive))
    for name, block, benchmark in rows:
        lines.append(_row(name, "model", block, levels))
        if benchmark is not None:
            lines.append(_row("", "seasonal naive", benchmark, levels))
    skill = report["skill"]
    lines += [
        "",
        f"Skill (model / seasonal naive, below 1 is better): MASE {_fmt(skill['mase'])}, "
        f"RMSSE {_fmt(skill['rmsse'])}",
        "Models: " + ", ".join(f"{name} x{n}" for name, n in report["models"].items()),
    ]
    if report["not_scored"]:
        skipped = ", ".join(f"{name} {n}" for name, n in report["not_scored"].items())
        lines.append(f"Not scored (forecast by rules, not models): {skipped}")
    return "\n".join(lines)


def _row(name: str, method: str, block: dict[str, Any], levels: list[str]) -> str:
    text = f"{name:<14}{method:<16}{block['series']:>7}"
    text += "".join(f"{_fmt(block[key]):>8}" for key in ("mase", "rmsse", "bias"))
    return text + "".join(f"{_fmt(block['coverage'][level]):>10}" for level in levels)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
