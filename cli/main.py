"""The `replenish` command: the parser, and the one place errors become exit codes.

Every command is a module in `cli/commands/` with `register(commands)`, which adds
its parser and sets `handler`; adding a command is one module and one line in COMMANDS.
Errors a person can fix (a missing folder, a bad date, a broken file) are raised as
`CliError` and shown here as one line on stderr with their exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from cli.commands import (
    backtest,
    business_case,
    demo,
    erp,
    explain,
    nightly,
    quarantine,
    reconcile,
    review,
    rollback,
    runs,
    sample_data,
    serve,
    shadow_report,
    simulate,
    submit,
    value,
)
from cli.commands.base import CliError
from cli.exit_codes import ExitCode

#: The commands in the order `replenish --help` lists them.
COMMANDS = (
    sample_data, nightly, demo, backtest, simulate, business_case, submit, reconcile, erp,
    quarantine, review, serve, rollback, runs, explain, shadow_report, value,
)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from cli.safe_output import safe_terminal

    try:
        with safe_terminal():  # values from input files never drive the operator's terminal
            code = _main(argv)
            sys.stdout.flush()  # a reader gone is found here, not in a traceback at exit
            return code
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """`replenish review show ... | head`: the reader closed the pipe, which is its right.

    Whatever was still to be printed goes nowhere, quietly (Python would otherwise print
    a BrokenPipeError traceback, and again when it flushes at exit); the exit code is
    the one other tools get when their reader leaves (128 + SIGPIPE).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return int(ExitCode.CLOSED_PIPE)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    _quiet_prefect_defaults()
    try:
        return int(args.handler(args))
    except CliError as error:
        print(f"replenish: {error.label}: {error}", file=sys.stderr)
        return int(error.code)


def _quiet_prefect_defaults() -> None:
    # No telemetry from a customer's machine, and no crash reports about it either.
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The temporary Prefect server takes 10-20 s to start on two busy cores; Prefect's
    # default of 20 s would fail a night's run for want of patience.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
