"""Loading the settings: the config file, the environment, and one clear message when
they cannot be used (a typo, a secret in the file, an infinite limit)."""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import (
    BaseModel,
    ValidationError,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from settings.model import Settings

SECRET_KEYS = frozenset({"smtp_password", "password", "secret", "secret_key", "api_key", "token"})
#: The variable naming the config file when no --config / `config` parameter is given
#: (a worker's environment, `job_variables.env`). No setting is called `config`, so it
#: cannot collide with one.
CONFIG_VARIABLE = "REPLENISH_CONFIG"


class SettingsError(ValueError):
    """The configuration cannot be used; the message names the file and the field."""


def load_settings(config_file: Path | None = None) -> Settings:
    """Read the config file (if any) and the environment; fail with one clear message."""
    values: dict[str, Any] = {}
    if config_file is None and os.environ.get(CONFIG_VARIABLE):
        config_file = Path(os.environ[CONFIG_VARIABLE])
    if config_file is not None:
        values = _read_toml(config_file)
        leaked = _secret_paths(values) + _urls_with_passwords(values)
        if leaked:
            raise SettingsError(
                f"{config_file}: secrets must come from the environment, not the config file "
                f"(remove {', '.join(leaked)}; set e.g. REPLENISH_EMAIL__SMTP_PASSWORD or "
                "REPLENISH_DATABASE_URL instead)"
            )
    where = str(config_file) if config_file else "settings"
    unknown = _unknown_keys(Settings, values)
    if unknown:
        raise SettingsError(
            f"{where}: unknown setting {unknown[0]} (a typo? see config.example.toml)"
            + (f"; also {', '.join(unknown[1:4])}" if len(unknown) > 1 else "")
        )
    try:
        settings = Settings(**values)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        raise SettingsError(f"{where}: {field}: {first['msg']}") from error
    infinite = _non_finite(settings.model_dump())
    if infinite:
        raise SettingsError(
            f"{where}: {infinite[0]}: must be a finite number (inf and nan are not limits)"
        )
    return settings


def _unknown_keys(model: type[BaseModel], values: dict[str, Any], prefix: str = "") -> list[str]:
    """Keys of the file that no setting has, at any depth: a typo must fail, not be ignored.

    Checked here for every section, including models that other packages own and that do
    not forbid extra keys themselves (routing rules, e-mail, ERP).
    """
    found: list[str] = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        field = model.model_fields.get(key)
        if field is None:
            found.append(path)
            continue
        nested = _model_of(field.annotation)
        if nested is None:
            continue
        if isinstance(value, dict):
            found.extend(_unknown_keys(nested, value, f"{path}."))
        elif isinstance(value, list):
            for position, item in enumerate(value):
                if isinstance(item, dict):
                    found.extend(_unknown_keys(nested, item, f"{path}[{position}]."))
    return found


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds (itself, optional, or a list of them), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is dict:
        return None  # free-form mappings (overrides per supplier) have keys of their own
    for argument in get_args(annotation):
        found = _model_of(argument)
        if found is not None:
            return found
    return None


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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise SettingsError(f"{path}: config file not found") from error
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from error


def _leaves(values: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(dotted path, key, value) of every value that is not a table, at any depth."""
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _leaves(value, f"{path}.")
        else:
            yield path, key, value


def _secret_paths(values: dict[str, Any]) -> list[str]:
    return [path for path, key, _ in _leaves(values) if key in SECRET_KEYS]


def _urls_with_passwords(values: dict[str, Any]) -> list[str]:
    """Database URLs in the file that carry a password (`user:secret@host`)."""
    found: list[str] = []
    for path, _, value in _leaves(values):
        if isinstance(value, str) and "://" in value and "@" in value:
            try:
                if make_url(value).password:
                    found.append(f"the password in {path}")
            except ArgumentError:
                continue
    return found
