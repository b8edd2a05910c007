"""How a run that did not fully succeed ends in Prefect: a named exception, after its
summary and artifacts are published.

Returning `Failed(data=<dict>)` left Prefect on a worker unable to resolve the result
("dict cannot be resolved into an exception"). An exception that carries the summary is
what Prefect expects of a failed flow, shows its one-line message in the UI, fires the
failure hooks and still hands the summary to a caller in the same process
(`state.result(raise_on_failure=False).summary`).
"""

from __future__ import annotations

import logging
from typing import Any

from integrations.sources.errors import SourceError


class RunIncomplete(Exception):
    """The run is recorded and published, but it did not do everything a night should."""

    #: The operator already got an e-mail naming the cause (the data-quality alert), so
    #: the failure hook need not send a second, vaguer one.
    operator_told: bool = False

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__(str(summary.get("message") or summary.get("status")))
        self.summary = summary


class RunStopped(RunIncomplete):
    """The run stopped before ordering: a broken file or input failing the quality gate."""

    def __init__(self, summary: dict[str, Any], *, operator_told: bool = False) -> None:
        super().__init__(summary)
        self.operator_told = operator_told


class RunPartial(RunIncomplete):
    """Orders were proposed, but some could not be sent (ERP) or announced (e-mail)."""


class QualityGateFailed(Exception):
    """The quarantined share of one or more files passed the limit: do not order."""

    def __init__(self, breaches: list[str]) -> None:
        super().__init__("; ".join(breaches))
        self.breaches = breaches


#: Failures the run expects and reports itself: logged without a traceback.
EXPECTED_FAILURES = (SourceError, QualityGateFailed, RunIncomplete)


def summary_of(result: object) -> dict[str, Any] | None:
    """The run summary a flow returned or raised, for the CLI and tests."""
    if isinstance(result, dict):
        return result
    if isinstance(result, RunIncomplete):
        return result.summary
    return None


class _ExpectedFailureFilter(logging.Filter):
    """Log an expected failure (a broken file, the quality gate, a stopped or partial
    run) as its one line, without the traceback: it is the data owner's or the ERP's
    problem, and a traceback would only hide the line that names it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], EXPECTED_FAILURES):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_expected_failures() -> None:
    """Install the filter on Prefect's flow and task run loggers (once)."""
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ExpectedFailureFilter) for f in logger.filters):
            logger.addFilter(_ExpectedFailureFilter())


# Every flow that raises these imports this module: quiet them wherever a flow runs (the
# CLI, a worker).
quiet_expected_failures()
