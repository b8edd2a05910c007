"""What an operator reads about a SQL source that failed: the driver's words, on one line,
never the password (the URL may carry one)."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError


def shown(url: str) -> str:
    """The URL as an operator may see it: 'sql source postgresql+psycopg://u:***@host/db'."""
    try:
        return "sql source " + make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "sql source (unparseable URL)"


_BACKGROUND = re.compile(r"\(Background on this error at: [^)]*\)")


def one_line(exc: BaseException, url: str) -> str:
    """The driver's own words on one line, without SQLAlchemy's boilerplate or the password."""
    reason = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = " ".join(_BACKGROUND.sub("", str(reason)).split())
    try:
        password = make_url(url).password
    except ArgumentError:
        password = None
    if password:
        for secret in {str(password), quote_plus(str(password))}:
            text = text.replace(secret, "***")
    return text if len(text) <= 400 else text[:397] + "..."
