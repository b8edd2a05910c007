"""The source port: one night's extract, as text frames with file and line per row."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from integrations.sources.csv_folder import RawExtract, read_csv_folder
from integrations.sources.sql import SqlSourceConfig, read_sql_source


class Source(Protocol):
    def describe(self) -> str:
        """Where the extract comes from, safe to log (no password)."""
        ...

    def read(self) -> RawExtract:
        """Every row of every kind, or `SourceError` with one line naming what is wrong."""
        ...


class CsvFolderSource:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def describe(self) -> str:
        return str(self.folder)

    def read(self) -> RawExtract:
        return read_csv_folder(self.folder)


class SqlSource:
    def __init__(self, config: SqlSourceConfig) -> None:
        self.config = config

    def describe(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.config.url).render_as_string(hide_password=True)

    def read(self) -> RawExtract:
        return read_sql_source(self.config)
