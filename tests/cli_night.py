"""`replenish` commands as an operator runs them, each a subprocess with an environment of
its own on the session's Prefect server. The nights these commands read are prepared in
the test process (tests/flow_night.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def replenish(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "replenish"), *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip


def night_env(prefect_home: Path, prefect_api: str, **variables: str) -> dict[str, str]:
    """The shell's environment without its REPLENISH_* variables (plus `variables`), a
    Prefect home of the night's own, kept quiet, and the session's Prefect server
    (`prefect_api`, the `prefect_server` fixture) instead of a temporary one per command."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("REPLENISH_")}
    return {**base, "PREFECT_HOME": str(prefect_home), "PREFECT_API_URL": prefect_api,
            "PREFECT_LOGGING_LEVEL": "WARNING", "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **variables}  # fmt: skip
