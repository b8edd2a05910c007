"""What every `replenish` command shares: its errors, its option types, the options
several commands take (declared once here), and reading the settings and the source.

A command raises `CliError` (or `Refused`) for anything a person can fix; `cli.main`
turns it into one line on stderr and the error's exit code, never a traceback.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from integrations.sources.base import Source
    from settings import Settings


class CliError(Exception):
    """A problem the user can fix; printed as `replenish: error: <message>`."""

    label = "error"
    code = ExitCode.USAGE


class RunFailed(CliError):
    """The run failed and left no summary to print (README: status `failed`, exit 1)."""

    label = "failed"
    code = ExitCode.FAILED


class Refused(CliError):
    """The rules refuse what was asked (not your decision, already decided)."""

    label = "refused"
    code = ExitCode.REFUSED


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} must be between 0 and 1 (e.g. 0.05 for 5%)")
    return value


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


# The options several commands share, declared once: the same name, type and help text.


def add_config(parser: argparse.ArgumentParser, help: str = "TOML config file") -> None:
    parser.add_argument("--config", type=Path, default=None, help=help)


def add_json(parser: argparse.ArgumentParser, help: str = "print one JSON object") -> None:
    parser.add_argument("--json", action="store_true", help=help)


def add_as_of(parser: argparse.ArgumentParser, help: str = "YYYY-MM-DD (default today)") -> None:
    parser.add_argument("--as-of", type=iso_date, default=None, help=help)


def add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        type=Path,
        default=None,
        help="folder with the CSV extract (default: the source in the config file, a folder "
        "or a SQL database)",
    )


def add_sample_size(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--items", type=positive, default=60, help="number of SKUs (default 60)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")


def load(config: Path | None) -> Settings:
    """The settings, or a `CliError` naming the file or the key that is wrong."""
    from settings import SettingsError, load_settings

    if config is not None and not config.is_file():
        raise CliError(f"config file {config} not found")
    try:
        return load_settings(config)
    except SettingsError as error:
        raise CliError(str(error)) from None


def services(config: Path | None) -> Any:
    """The composition root's services on the configured database and adapters."""
    from replenish.bootstrap import build

    settings = load(config)
    try:
        return build(settings)
    except ValueError as error:
        raise CliError(str(error)) from None


def today(config: Path | None = None) -> date:
    """Today in the schedule's time zone: the same day the nightly run would plan for."""
    from replenish.run_date import run_date

    return run_date(load(config).schedule_timezone)


def check_source(source: Path | None) -> None:
    """A folder given on the command line must exist (before anything starts)."""
    if source is not None and not source.is_dir():
        raise CliError(f"source folder {source} does not exist or is not a folder")


def open_source(settings: Settings, source: Path | None) -> Source:
    """The extract a command reads: `--source DIR`, else the configured source (a folder
    or a SQL database), exactly as the nightly run chooses it."""
    from integrations.sources.errors import SourceError
    from replenish.bootstrap import open_source as choose

    check_source(source)
    try:
        return choose(settings, str(source) if source else None)
    except SourceError as error:
        raise CliError(str(error)) from None
