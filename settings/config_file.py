"""The config file as a settings source: pydantic-settings' TOML source, plus what it does
not do itself: name a file that is missing or not TOML, and refuse a secret in the file.

`Settings` takes its sources from `settings_customise_sources`, a class method, while the
file is chosen per call (`--config`, `REPLENISH_CONFIG`). pydantic-settings has no per-call
file path (pydantic/pydantic-settings#259), so `load_settings` names the file for the
duration of one construction through a context variable (`reading`), which keeps the one
`Settings` class and is safe across threads and tasks.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, TomlConfigSettingsSource
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SECRET_KEYS = frozenset({"smtp_password", "password", "secret", "secret_key", "api_key", "token"})

_FILE: ContextVar[Path | None] = ContextVar("replenish_config_file", default=None)


class SettingsError(ValueError):
    """The configuration cannot be used; the message names the file and the field."""


@contextmanager
def reading(config_file: Path | None) -> Iterator[None]:
    """While open, `Settings()` reads `config_file` (below the environment)."""
    token = _FILE.set(config_file)
    try:
        yield
    finally:
        _FILE.reset(token)


def config_file_sources(settings_cls: type[BaseSettings]) -> tuple[PydanticBaseSettingsSource, ...]:
    """The source of the file being read, if any (see `reading`)."""
    config_file = _FILE.get()
    return () if config_file is None else (ConfigFileSource(settings_cls, config_file),)


class ConfigFileSource(TomlConfigSettingsSource):
    """The TOML file's values; a missing file is an error here, not an empty source."""

    def __init__(self, settings_cls: type[BaseSettings], config_file: Path) -> None:
        if not config_file.expanduser().is_file():
            raise SettingsError(f"{config_file}: config file not found")
        try:
            super().__init__(settings_cls, toml_file=config_file)
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{config_file}: not valid TOML: {error}") from error
        leaked = _secret_paths(self.toml_data) + _urls_with_passwords(self.toml_data)
        if leaked:
            # Named by path only: the message must not repeat the secret it refuses.
            raise SettingsError(
                f"{config_file}: secrets must come from the environment, not the config file "
                f"(remove {', '.join(leaked)}; set e.g. REPLENISH_EMAIL__SMTP_PASSWORD or "
                "REPLENISH_DATABASE_URL instead)"
            )


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
