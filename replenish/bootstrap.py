"""The composition root: the one place that turns settings into real adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from approvals.links import ReviewLinks
from integrations.email.base import Mailer
from integrations.email.outbox import OutboxMailer
from integrations.email.smtp import SmtpMailer
from integrations.erp.base import ErpAdapter
from integrations.erp.factory import build_erp
from integrations.sources.base import CsvFolderSource, Source, SqlSource
from integrations.sources.errors import SourceError
from replenish.review_secret import review_secret
from settings import Settings, load_settings
from storage.database import make_engine, migrate, session_factory
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    uow: Callable[[], UnitOfWork]
    erp: ErpAdapter
    mailer: Mailer
    links: ReviewLinks


def build(settings: Settings, *, run_migrations: bool = True) -> Services:
    """Wire the adapters the settings ask for; migrate the database so a fresh one just works."""
    engine = make_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    sessions = session_factory(engine)
    return Services(
        settings=settings,
        engine=engine,
        uow=lambda: UnitOfWork(sessions),
        erp=build_erp(settings.erp),
        mailer=_mailer(settings),
        links=ReviewLinks(review_secret(settings), settings.review_base_url),
    )


@contextmanager
def composed(config: str | None = None, *, run_migrations: bool = True) -> Iterator[Services]:
    """The adapters of one flow run, from its `config` parameter (a config file; None:
    the default one and `REPLENISH_*`), their database connections closed when the block
    ends, whatever raised.

    Every flow composes its services through this one helper, once per run, so no flow
    wires an adapter itself or forgets to release the engine's pool."""
    settings = load_settings(Path(config) if config else None)
    services = build(settings, run_migrations=run_migrations)
    try:
        yield services
    finally:
        services.engine.dispose()


def _mailer(settings: Settings) -> Mailer:
    email = settings.email
    match email.transport:
        case "outbox":
            return OutboxMailer(email.outbox_dir)
        case "smtp":
            password = email.smtp_password.get_secret_value() if email.smtp_password else None
            return SmtpMailer(
                email.smtp_host,
                email.smtp_port,
                username=email.smtp_username,
                password=password,
                starttls=email.smtp_starttls,
                attempts=email.smtp_attempts,
            )


def open_source(settings: Settings, location: str | None) -> Source:
    """The extract to read: the folder given on the command line, else the configured source."""
    if location:
        return CsvFolderSource(Path(location))
    config = settings.source
    if config.kind == "sql" and config.sql is not None:
        return SqlSource(config.sql)
    if config.folder is not None:
        return CsvFolderSource(config.folder)
    raise SourceError("no source: give --source DIR, or set source.folder or [source.sql]")
