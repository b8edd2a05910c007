"""A real night through the `replenish` command, as an operator runs it: sample data, then
`replenish run --json`, in a subprocess with an environment of its own. For the tests that
read what a night left behind (`review`, `runs`, `explain`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def sample_night(
    workdir: Path, env: dict[str, str], as_of: str, *, items: int = 40, seed: int = 3
) -> dict[str, Any]:
    """Sample data in `workdir/data` for the night, and one nightly run of it: its summary."""
    made = replenish("sample-data", "--out", "data", "--items", str(items), "--seed", str(seed),
                     "--as-of", as_of, cwd=workdir, env=env)  # fmt: skip
    assert made.returncode == 0, made.stderr
    return run_night(workdir, env, as_of)


def run_night(workdir: Path, env: dict[str, str], as_of: str) -> dict[str, Any]:
    """`replenish run` of the sample data in `workdir/data` (again): its summary."""
    done = replenish("run", "--source", "data", "--as-of", as_of, "--json", cwd=workdir, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary
