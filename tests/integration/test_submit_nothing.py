"""`replenish submit` with nothing approved answers at once, without Prefect: with
PREFECT_API_URL pointing at a closed port, any flow run would fail; this one never starts
one (formerly a temporary Prefect server, 31 s, to say "0 new")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def test_nothing_to_send_answers_without_starting_prefect(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REPLENISH_", "PREFECT_"))},
        "PREFECT_API_URL": "http://127.0.0.1:9/api",  # nothing listens: Prefect would fail
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "REPLENISH_DATABASE_URL": f"sqlite:///{tmp_path / 'replenish.db'}",
    }
    text = subprocess.run([str(BIN / "replenish"), "submit"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Sent to the ERP: 0 new, 0 already there, 0 failed")
    assert text.stderr == ""
    assert not (tmp_path / "prefect-home").exists()  # Prefect never started
    as_json = subprocess.run([str(BIN / "replenish"), "submit", "--json"], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=300,
                             check=False)  # fmt: skip
    assert as_json.returncode == 0, as_json.stderr
    summary = json.loads(as_json.stdout)
    assert (summary["status"], summary["submitted"], summary["submission_failures"]) == (
        "succeeded", 0, {})  # fmt: skip
