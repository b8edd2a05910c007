"""The operator's path when the ERP is down: `replenish run` exits 4 (partial, not
success), `replenish submit` sends the failed orders once the ERP is back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flow_night import sample_data

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def replenish(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "replenish"), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_a_partial_run_exits_4_and_submit_finishes_it(tmp_path: Path, prefect_server: str) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REPLENISH_", "PREFECT_"))},
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": prefect_server,  # the session's server, not one per command
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "REPLENISH_ERP__SUBMIT_RETRIES": "0",
    }
    sample_data(tmp_path, "2026-07-15", items=8)  # test_cli_run.py runs `sample-data`
    (tmp_path / "erp-drop").write_text("the ERP is down")

    done = replenish(
        "run", "--source", "data", "--as-of", "2026-07-15", "--json", cwd=tmp_path, env=env
    )
    assert done.returncode == 4, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["status"] == "partial"
    failed = set(summary["submission_failures"])
    assert failed

    (tmp_path / "erp-drop").unlink()
    sent = replenish("submit", "--json", cwd=tmp_path, env=env)
    assert sent.returncode == 0, sent.stderr[-3000:]
    result = json.loads(sent.stdout)
    assert result["status"] == "succeeded"
    assert result["submitted"] == len(failed)
    assert {p.stem for p in (tmp_path / "erp-drop").glob("*.json")} == failed
