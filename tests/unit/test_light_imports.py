"""Reading the settings, wiring the adapters and submitting approved orders import no
forecasting engine: every `replenish` command, fault runner and flow-run process pays
for what it imports before it does anything (statsforecast, scipy, statsmodels and Dask
cost 1.5-2 s of CPU a process). The settings read parameter models and the flag rule
modules (`flags.registry`, `purchasing.params`, `forecasting.params`), none of which
imports more than pandas at module level; a forecast is passed along as
`forecasting.result.ForecastResult`; the packages import their planner and engine on
first use (`domain.lazy_exports`). An import-linter contract cannot say this: it counts
the type-checking imports the lazy packages name for mypy.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("statsforecast", "scipy", "statsmodels", "dask")


def test_settings_bootstrap_submission_and_run_records_import_no_forecasting_engine() -> None:
    code = (
        "import sys; import settings, replenish.bootstrap, flows.submission, services.erp_calls, "
        "flows.submit_approved, services.runs; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert loaded.stdout.strip() == "[]", loaded.stdout
