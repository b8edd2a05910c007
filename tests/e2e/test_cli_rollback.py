"""The operator's path through a bad night, with the shell commands the runbook gives: a
night runs, a buyer may not roll it back (exit 3, nothing changed), the administrator
does (exit 0: unsent orders withdrawn, sent ones get a cancellation file), a second
rollback changes nothing and says so, and the night run again proposes afresh under new
keys, never writing an old key to the ERP again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flow_night import sample_data

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
AS_OF = "2026-07-15"
CONFIG = """
[approvals]
administrators = ["IT.Admin@example.com"]
operator = "ops@example.com"
"""


def replenish(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "replenish"), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def drop_folder(cwd: Path) -> list[str]:
    return sorted(p.name for p in (cwd / "erp-drop").iterdir())


def run_night(cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    done = replenish("run", "--source", "data", "--as-of", AS_OF, "--config", "config.toml",
                     "--json", cwd=cwd, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def test_a_bad_night_is_rolled_back_once_by_an_administrator_and_rerun_under_new_keys(
    tmp_path: Path, prefect_server: str
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REPLENISH_", "PREFECT_"))},
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": prefect_server,  # the session's server, not one per command
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    (tmp_path / "config.toml").write_text(CONFIG)
    sample_data(tmp_path, AS_OF, items=8)  # test_cli_run.py runs the `sample-data` command
    first = run_night(tmp_path, env)
    sent = [name.removesuffix(".json") for name in drop_folder(tmp_path)]
    assert first["submitted"] == len(sent) > 0
    rollback = ("rollback", first["run_id"], "--reason", "the stock extract was a week old",
                "--config", "config.toml")  # fmt: skip

    refused = replenish(*rollback, "--as", "buyer@example.com", cwd=tmp_path, env=env)
    assert refused.returncode == 3
    assert refused.stderr.startswith("replenish: refused: buyer@example.com is not an admin")
    assert drop_folder(tmp_path) == sorted(f"{key}.json" for key in sent)

    done = replenish(*rollback, "--as", "it.admin@example.com", "--json", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["counts"]["cancelled"] == len(sent)
    assert report["counts"]["withdrawn"] == first["orders"]["purchase_orders"] - len(sent)
    assert report["counts"]["failed"] == report["counts"]["too_late"] == 0
    assert drop_folder(tmp_path) == sorted(
        [f"{key}.json" for key in sent] + [f"CANCEL-{key}.json" for key in sent]
    )
    assert len(list((tmp_path / "outbox").glob("*.eml"))) >= 2  # buyer and operator

    again = replenish(*rollback, "--as", "it.admin@example.com", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "was already rolled back by it.admin@example.com" in again.stdout
    assert "nothing changed now" in again.stdout

    rerun = run_night(tmp_path, env)
    assert rerun["orders"]["purchase_orders"] > 0  # proposed afresh, not skipped as known
    new_files = sorted(set(drop_folder(tmp_path)) - {f"{k}.json" for k in sent}
                       - {f"CANCEL-{k}.json" for k in sent})  # fmt: skip
    assert len(new_files) == rerun["submitted"] > 0
    assert all(name.endswith("-V2.json") for name in new_files), new_files
