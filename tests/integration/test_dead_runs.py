"""A run killed with SIGKILL mid-night is found and said (issue 24, point 2), on both
databases: a real nightly run in a process of its own (tests/integration/fault_runner.py)
dies as the plan stage starts, its row left `running`; the next run (which holds the
nightly lock, so knows no other night is alive) or, once its lease ran out, the
monitoring flow closes it as crashed, e-mails the operator through a real SMTP server,
and the next run does the night. Prefect's side (the heartbeat automation marking the
flow run Crashed) is tested against a real server in test_deployment.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from smtp_inbox import Inbox, smtp_server
from sqlalchemy import text

from cli.sample_data import write_sample_data
from replenish.bootstrap import build
from settings import load_settings
from storage.database import make_engine

# slow: a night killed in a process of its own, then closed by the next run (minutes here)
pytestmark = [pytest.mark.prefect, pytest.mark.slow, pytest.mark.usefixtures("prefect_server")]

RUNNER = Path(__file__).with_name("fault_runner.py")
ROOT = Path(__file__).parents[2]
AS_OF = date(2026, 9, 14)
OPERATOR = "ops-dead-runs@acme.test"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    mailbox = Inbox()
    with smtp_server(mailbox) as port:
        yield port, mailbox


@pytest.fixture
def night(
    tmp_path: Path, own_database: str, smtp: tuple[int, Inbox], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The settings of the killed run and of the ones after it (this process's env)."""
    write_sample_data(tmp_path / "data", items=20, seed=5, dirty=0.0, as_of=AS_OF)
    settings = {
        "REPLENISH_DATABASE_URL": own_database,
        "REPLENISH_ERP__DROP_DIR": str(tmp_path / "erp-drop"),
        "REPLENISH_EMAIL__TRANSPORT": "smtp",
        "REPLENISH_EMAIL__SMTP_PORT": str(smtp[0]),
        "REPLENISH_APPROVALS__OPERATOR": OPERATOR,
        "REPLENISH_APPROVALS__PREFECT_FORMS": "false",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return settings


def killed_night(tmp_path: Path, settings: dict[str, str]) -> str:
    """A nightly run in its own process, SIGKILLed as the plan stage starts; its run id."""
    from prefect.settings import PREFECT_API_URL

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REPLENISH_", "PREFECT_"))},
        **settings,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),  # the session's test server
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "FAULT_STAGE": "nightly",
        "FAULT_KILL_AT": "stage:plan",
        "FAULT_SOURCE": str(tmp_path / "data"),
        "FAULT_AS_OF": AS_OF.isoformat(),
        "FAULT_OUTCOME": str(tmp_path / "outcome.json"),
    }
    done = subprocess.run(
        [sys.executable, str(RUNNER)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == -9, done.stderr[-3000:]  # SIGKILL: no finally, no hook ran
    rows = run_rows(settings["REPLENISH_DATABASE_URL"])
    assert [status for _, status, _ in rows] == ["running"]  # what was left behind
    return rows[0][0]


def run_rows(url: str) -> list[tuple[str, str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, status, message FROM runs ORDER BY started_at")
            ).all()
    finally:
        engine.dispose()
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def runs_by_id(url: str) -> dict[str, tuple[str, str]]:
    return {run_id: (status, message) for run_id, status, message in run_rows(url)}


def crash_alerts(mailbox: Inbox) -> list[str]:
    return [str(m.get_content()) for m in mailbox.to(OPERATOR) if "crashed" in str(m["Subject"])]


def test_the_next_run_closes_a_killed_run_as_crashed_tells_the_operator_and_runs(
    tmp_path: Path, night: dict[str, str], smtp: tuple[int, Inbox]
) -> None:
    from flows.nightly import nightly_replenishment
    from flows.outcomes import summary_of

    killed = killed_night(tmp_path, night)

    state = nightly_replenishment(source=str(tmp_path / "data"), as_of=AS_OF, return_state=True)

    summary = summary_of(state.result(raise_on_failure=False))
    assert summary is not None, state.message
    assert summary["status"] in ("succeeded", "partial"), summary["message"]
    assert summary["orders"]["purchase_orders"] > 0  # the night was done, not stood aside
    status, message = runs_by_id(night["REPLENISH_DATABASE_URL"])[killed]
    assert status == "crashed"
    assert "no sign of life since" in message
    assert "found by the next nightly run" in message
    alerts = crash_alerts(smtp[1])
    assert len(alerts) == 1
    assert killed[:8] in alerts[0]
    assert "found by the next nightly run" in alerts[0]

    again = nightly_replenishment(source=str(tmp_path / "data"), as_of=AS_OF, return_state=True)
    assert again.type.value == "COMPLETED"
    assert len(crash_alerts(smtp[1])) == 1  # told once


@pytest.mark.parametrize("own_database", ["sqlite"], indirect=True)
def test_the_monitoring_flow_closes_a_killed_run_once_its_lease_ran_out(
    tmp_path: Path, night: dict[str, str], smtp: tuple[int, Inbox]
) -> None:
    from flows.monitoring import monitor_forecasts
    from services.runs import start_run

    killed = killed_night(tmp_path, night)
    services = build(load_settings())
    alive = "alive-" + killed[:20]
    start_run(services.uow, alive, AS_OF, "a run still working", None)  # a fresh lease
    monitor_forecasts()
    # Its lease has not run out yet: for all anyone can tell, it might still be working.
    assert runs_by_id(night["REPLENISH_DATABASE_URL"])[killed][0] == "running"

    # Two minutes later: the killed run's lease ran out, the other one renewed its own.
    with services.engine.begin() as connection:
        connection.execute(
            text("UPDATE runs SET lease_until = :past WHERE id = :id"),
            {"past": datetime.now(UTC) - timedelta(seconds=1), "id": killed},
        )
    services.engine.dispose()
    monitor_forecasts()

    rows = runs_by_id(night["REPLENISH_DATABASE_URL"])
    assert rows[killed][0] == "crashed"
    assert "found by the monitoring flow" in rows[killed][1]
    assert rows[alive][0] == "running"
    assert len(crash_alerts(smtp[1])) == 1
    outcome = tmp_path / "outcome.json"
    assert not outcome.exists() or json.loads(outcome.read_text()) is None  # it never ended
