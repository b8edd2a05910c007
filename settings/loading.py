"""Loading the settings: the config file, the environment, and one clear message when
they cannot be used (a typo, a secret in the file, an infinite limit).

pydantic-settings does the reading and the precedence (`Settings.settings_customise_sources`:
environment, then the file, then the defaults); every section forbids keys it does not
have (`extra="forbid"`), so a typo fails validation. This module turns pydantic's report
into one line that names the file and the setting.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from settings.config_file import SettingsError, reading
from settings.model import Settings

#: The variable naming the config file when no --config / `config` parameter is given
#: (a worker's environment, `job_variables.env`). No setting is called `config`, so it
#: cannot collide with one.
CONFIG_VARIABLE = "REPLENISH_CONFIG"


def load_settings(config_file: Path | None = None) -> Settings:
    """Read the config file (if any) and the environment; fail with one clear message."""
    if config_file is None and os.environ.get(CONFIG_VARIABLE):
        config_file = Path(os.environ[CONFIG_VARIABLE])
    where = str(config_file) if config_file else "settings"
    try:
        with reading(config_file):
            settings = Settings()
    except ValidationError as error:
        raise SettingsError(f"{where}: {_first_problem(error)}") from error
    infinite = _non_finite(settings.model_dump())
    if infinite:
        raise SettingsError(
            f"{where}: {infinite[0]}: must be a finite number (inf and nan are not limits)"
        )
    return settings


def _first_problem(error: ValidationError) -> str:
    """Unknown keys first (a typo explains the rest), else pydantic's first complaint."""
    errors = error.errors()
    unknown = [_path(each["loc"]) for each in errors if each["type"] == "extra_forbidden"]
    if unknown:
        also = f"; also {', '.join(unknown[1:4])}" if len(unknown) > 1 else ""
        return f"unknown setting {unknown[0]} (a typo? see config.example.toml){also}"
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"]) or "settings"
    return f"{field}: {first['msg']}"


def _path(loc: tuple[int | str, ...]) -> str:
    """`approvals.rules[0].suplier`: the key as the TOML file spells it."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)[1:]


def _non_finite(values: Any, prefix: str = "") -> list[str]:
    """Paths of float settings that are inf or nan (TOML and the environment accept both)."""
    if isinstance(values, float):
        return [] if math.isfinite(values) else [prefix or "settings"]
    if isinstance(values, dict):
        return [
            p
            for key, value in values.items()
            for p in _non_finite(value, f"{prefix}.{key}" if prefix else str(key))
        ]
    if isinstance(values, list | tuple):
        return [p for i, v in enumerate(values) for p in _non_finite(v, f"{prefix}[{i}]")]
    return []
