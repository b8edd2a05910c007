"""How `make test` hands test files to its pytest-xdist workers (`-n 3 --dist loadfile`).

The suite is bound by CPU on two cores, so two things xdist's own file scheduling does
not know about cost minutes:
- **Tryton starts once per worker that meets a Tryton test** (about 8 CPU-s and 10 s
  each). The files that drive it (each has "tryton" in its name: the collection checks
  it, `tests/conftest.py`) run as one unit, on one worker.
- **Files are handed out largest first, counted in tests.** The e2e files have few tests
  but run a minute or two each, so they came last and one worker ran on alone for the
  last 20-30 s. The files measured longest (`pytest --durations`, 2026-12-07) now start
  first; every other file follows in xdist's order. The list orders, it selects
  nothing: a file missing from it still runs, and a name that no longer exists is
  ignored.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from xdist.scheduler import LoadFileScheduling
from xdist.workermanage import WorkerController

TRYTON = "tryton"  # the unit of every file that drives the Tryton server
LONGEST_FIRST = (
    TRYTON,
    "tests/integration/test_deployment.py",
    "tests/integration/test_value_report.py",
    "tests/integration/test_prefect_forms.py",
    "tests/e2e/test_cli_run.py",
    "tests/integration/test_nightly_flow.py",
    "tests/e2e/test_cli_review.py",
    "tests/integration/test_dask_forecast.py",
    "tests/integration/test_run_failures.py",
    "tests/integration/test_one_order_per_item.py",
    "tests/integration/test_dead_runs.py",
    "tests/integration/test_hostile_values.py",
    "tests/integration/test_hostile_extract.py",
    "tests/integration/test_runs_and_explain.py",
    "tests/integration/test_rollout_night.py",
    "tests/e2e/test_cli_rollback.py",
    "tests/e2e/test_review_in_browser.py",
)


def drives_tryton(path: str) -> bool:
    return TRYTON in PurePosixPath(path).name


class TrytonTogetherLongestFirst(LoadFileScheduling):
    """xdist's file scheduling with the Tryton files as one unit, the longest units first."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        file = super()._split_scope(nodeid)
        return TRYTON if drives_tryton(file) else file

    def _assign_work_unit(self, node: WorkerController) -> None:
        if not self._ordered:  # the first assignment: the work queue is complete
            self._ordered = True
            rank = {scope: place for place, scope in enumerate(LONGEST_FIRST)}
            ordered = sorted(self.workqueue.items(), key=lambda unit: rank.get(unit[0], len(rank)))
            self.workqueue.clear()
            self.workqueue.update(ordered)
        super()._assign_work_unit(node)
