"""How a run that did not fully succeed ends in Prefect: a named exception, after its
summary and artifacts are published.

Returning `Failed(data=<dict>)` left Prefect on a worker unable to resolve the result
("dict cannot be resolved into an exception"). An exception that carries the summary is
what Prefect expects of a failed flow, shows its one-line message in the UI, fires the
failure hooks and still hands the summary to a caller in the same process
(`state.result(raise_on_failure=False).summary`).
"""

from __future__ import annotations

from typing import Any


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


def summary_of(result: object) -> dict[str, Any] | None:
    """The run summary a flow returned or raised, for the CLI and tests."""
    if isinstance(result, dict):
        return result
    if isinstance(result, RunIncomplete):
        return result.summary
    return None
