"""`replenish backtest`: rolling-origin accuracy of the engine's models per demand class,
beside seasonal naive, on the configured source (or `--source DIR`).

The extract goes through the same data-quality gate as a nightly run, so the backtest
scores the demand the forecast would really see. Errors are one line on stderr and
exit code 2 (`cli.main`), never a traceback.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.commands.base import CliError, positive
from cli.commands.extract import add_extract_options, read_checked
from cli.exit_codes import ExitCode


def register(commands: Any) -> None:
    backtest = commands.add_parser(
        "backtest",
        help="forecast accuracy by rolling origin, per demand class, against seasonal naive",
        description="Rolling-origin backtest (W windows of H periods) of the models the "
        "nightly run would choose, per demand class and overall: MASE, RMSSE, bias and "
        "quantile coverage, beside seasonal naive. MASE is scaled per series by the in-sample "
        "seasonal naive error and averaged over series (as the M4/Monash benchmarks do); on "
        "intermittent demand it rewards an all-zero forecast, so read RMSSE and coverage too.",
    )
    add_extract_options(backtest)
    backtest.add_argument("--horizon", type=positive, default=None, help="periods per window")
    backtest.add_argument("--windows", type=positive, default=None, help="number of windows")
    backtest.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from cli.progress_bar import model_progress

    try:
        with model_progress(not args.json):
            report = _report(args)
    except CliError:
        raise
    except Exception as error:  # a command line shows one line, not a traceback
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CliError(f"backtest: {message}") from None
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render_text(report))
    return ExitCode.SUCCEEDED


def _report(args: argparse.Namespace) -> dict[str, Any]:
    from forecasting.backtest import backtest
    from forecasting.backtest_report import summarise

    extract = read_checked(args)
    result = backtest(
        extract.checked.tables["demand"],
        extract.checked.tables["items"],
        as_of=extract.as_of,
        params=extract.settings.forecast,
        horizon=args.horizon,
        windows=args.windows,
        stock_history=extract.checked.tables.get("stock_history"),
    )
    return {"as_of": extract.as_of.isoformat(), **summarise(result)}


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
