"""The input of `backtest` and `simulate`: the configured source (or `--source DIR`),
read and validated exactly as the nightly run does, so they see the same accepted rows.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from cli.commands.base import (
    CliError,
    add_as_of,
    add_config,
    add_json,
    add_source,
    load,
    open_source,
)

if TYPE_CHECKING:
    from dataquality import ValidationResult
    from settings import Settings


@dataclass(frozen=True)
class CheckedExtract:
    settings: Settings
    as_of: date
    checked: ValidationResult


def add_extract_options(parser: argparse.ArgumentParser) -> None:
    """--source, --as-of, --config and --json, as `run` has them."""
    add_source(parser)
    add_as_of(parser)
    add_config(parser)
    add_json(parser)


def read_checked(args: argparse.Namespace) -> CheckedExtract:
    """Settings, the planning date and tonight's validated tables for one command."""
    from dataquality import validate
    from integrations.sources.errors import SourceError
    from replenish.run_date import run_date

    settings = load(args.config)
    source = open_source(settings, args.source)
    try:
        raw = source.read()
    except SourceError as error:
        raise CliError(str(error)) from None
    as_of: date = args.as_of or run_date(settings.schedule_timezone)
    checked = validate(raw.frames, as_of=as_of, rules=settings.validation)
    return CheckedExtract(settings, as_of, checked)
