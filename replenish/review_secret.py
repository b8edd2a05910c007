"""The secret that signs review links: from the environment, or in development one
generated once and kept beside the database.

The nightly run (which writes the links) and the review server (which reads them) must
use the same secret. In production it is `REPLENISH_REVIEW__SECRET` (the settings refuse
to start without it); in development a random one is written next to the SQLite file
(or into the working folder for a server database), readable by its owner only, so
`make demo` and `replenish review-server` agree without any setup.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from settings import Settings

DEV_SECRET_FILE = ".replenish-review-secret"


def review_secret(settings: Settings) -> str:
    if settings.review.secret is not None:
        return settings.review.secret.get_secret_value()
    return _development_secret(dev_secret_path(settings.database_url))


def dev_secret_path(database_url: str) -> Path:
    """`replenish.db` -> `replenish.db.review-secret`; a server database -> the working folder."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(str(url.database)).expanduser()
        return database.with_name(f"{database.name}.review-secret")
    return Path(DEV_SECRET_FILE)


def _development_secret(path: Path) -> str:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        # O_EXCL: a run and a server starting together agree on whichever came first.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _read(path: Path) -> str:
    value = path.read_text().strip()
    if len(value) < 32:
        raise ValueError(f"{path}: the review link secret is too short; delete the file")
    return value
