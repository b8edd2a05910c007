"""A night through the nightly flow in the test's own process, for the tests whose point is
what a night leaves behind (`review`, `runs`, `explain`, the review page and its e-mail),
not the `run` command itself.

It calls `execute_run`, the function `replenish run` calls, in the folder and with the
REPLENISH_* variables the command would have had, on the session's Prefect server (the
`prefect_server` fixture must be active), and returns the summary as `replenish run --json`
prints it. What it saves is the `replenish` processes: each spends 2-5 s of CPU importing
before it does anything, and a test that only reads the night gains nothing from them.
The `run` command itself stays a real subprocess in test_cli_run.py and in the reruns of
the tests that read the night (test_cli_review.py, test_cli_rollback.py, ...).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest


def sample_data(workdir: Path, as_of: str, *, items: int, seed: int = 7) -> None:
    """`replenish sample-data --out data --items ITEMS --seed SEED --as-of AS_OF` in
    `workdir`, without the process (the command's default share of dirty rows is the
    function's)."""
    from cli.sample_data import write_sample_data

    write_sample_data(workdir / "data", items=items, seed=seed, as_of=date.fromisoformat(as_of))


@contextmanager
def as_the_command(workdir: Path, **variables: str) -> Iterator[None]:
    """The test process as a `replenish` command in `workdir` would be: that folder as the
    working directory (the database, outbox and ERP drop are relative to it by default)
    and no REPLENISH_* variables but `variables`; all restored afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("REPLENISH_"):
                patch.delenv(name)
        for name, value in variables.items():
            patch.setenv(name, value)
        patch.chdir(workdir)
        yield


def flow_night(workdir: Path, as_of: str, **variables: str) -> dict[str, Any]:
    """`replenish run --source data --as-of AS_OF --json` in `workdir` with `variables`,
    in this process: the summary as the command prints it, which must say exit 0."""
    from cli.commands.nightly import execute_run
    from cli.exit_codes import ExitCode, for_status

    with as_the_command(workdir, **variables):
        summary = execute_run(Path("data"), None, date.fromisoformat(as_of))
    assert for_status(str(summary["status"])) == ExitCode.SUCCEEDED, summary.get("message")
    printed: dict[str, Any] = json.loads(json.dumps(summary, indent=2, default=str))
    return printed
