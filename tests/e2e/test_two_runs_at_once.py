"""Two nightly runs started at once on a fresh PostgreSQL database: the migrations do not
collide, one run works and the other stands aside (or finds the work done), and the ERP
gets each order once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import empty_postgres_database
from sqlalchemy import create_engine, text

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

AS_OF = "2026-11-27"
BIN = Path(sys.executable).parent


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database: both runs migrate it at the same moment."""
    with empty_postgres_database("replenish_two") as url:
        yield url


def test_two_runs_at_once_order_each_key_once(
    fresh_database: str, tmp_path: Path, prefect_server: str
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REPLENISH_")},
        "REPLENISH_DATABASE_URL": fresh_database,
        # Both on the session's one Prefect server, as in production (one server per site).
        "PREFECT_API_URL": prefect_server,
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    made = subprocess.run(
        [str(BIN / "replenish"), "sample-data", "--out", "data", "--items", "20", "--seed", "5",
         "--as-of", AS_OF],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    command = [str(BIN / "replenish"), "run", "--source", "data", "--as-of", AS_OF]
    # each process its own Prefect home (profiles, local storage): nothing of one run's
    # Prefect client state is shared with the other's
    runs = [
        subprocess.Popen(
            command,
            cwd=tmp_path,
            env={**env, "PREFECT_HOME": str(tmp_path / f"prefect-home-{n}")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    outcomes = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    codes = sorted(code for code, _, _ in outcomes)
    for code, out, err in outcomes:
        assert "Traceback" not in err, err[-3000:]
        assert code in (0, 5), (code, out[-2000:], err[-2000:])
        if code == 5:  # cli.EXIT_STOOD_ASIDE
            assert "stood aside" in out
    assert codes[0] == 0  # at least one of them did the night's work
    sent = [p.name for p in (tmp_path / "erp-drop").glob("*.json")]
    assert sent, "the night ordered something"
    assert len(sent) == len(set(sent))
    engine = create_engine(fresh_database)
    with engine.connect() as connection:
        submitted = (
            connection.execute(text("SELECT po_key FROM submissions WHERE status = 'submitted'"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert sorted(submitted) == sorted(name.removesuffix(".json") for name in sent)
