"""Errors a source adapter raises when an extract cannot be read at all."""

from __future__ import annotations


class SourceError(Exception):
    """A source is broken as a whole (missing file, wrong columns, not text).

    Row-level problems are never raised: they belong to the data-quality gate, which
    quarantines the row and lets the run go on. The message is one line that names the
    file and what is wrong, because it is shown as-is to the operator.
    """
