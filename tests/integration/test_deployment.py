"""The README's "Deploying" steps, verbatim, against a real Prefect server on loopback: a
process work pool, `prefect deploy --all` from prefect.yaml, a process worker with the
operator's REPLENISH_* variables; the nightly deployment triggered through the API.

One server, pool, deployment and worker for the module (they take most of a minute to
come up on two cores); the sample extract is tiny.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from replenish.sample_data import write_sample_data

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
# 01:30 Europe/Berlin on 15 July 2026 (summer time, UTC+2) is 23:30 UTC on the 14th.
SCHEDULED = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
BERLIN_DAY = date(2026, 7, 15)
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass(frozen=True)
class Served:
    api_url: str
    env: dict[str, str]
    database: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prefect(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [PREFECT, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"prefect server exited:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(1)
    pytest.fail(f"prefect server did not answer on {url}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """README steps 1-4: server, PREFECT_API_URL, work pool, deploy, worker."""
    home = tmp_path_factory.mktemp("operator")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "REPLENISH_"))}
    env = {
        **base,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_API_URL": api_url,
        "PREFECT_UI_URL": f"http://127.0.0.1:{port}",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # Poll often: the test waits for the worker, an operator would not notice.
        "PREFECT_WORKER_QUERY_SECONDS": "2",
    }
    server_log = home / "server.log"
    processes: list[subprocess.Popen[bytes]] = []
    with server_log.open("wb") as out:
        server = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            cwd=home,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    processes.append(server)
    try:
        wait_for(f"{api_url}/health", server, server_log)
        prefect("work-pool", "create", "replenish", "--type", "process", "--overwrite", env=env)
        prefect("--no-prompt", "deploy", "--all", env=env)
        extract = home / "tonight"
        write_sample_data(extract, items=6, seed=3, dirty=0.0, as_of=BERLIN_DAY)
        database = home / "replenish.db"
        worker_env = {
            **env,
            # What the README tells the operator to set on the worker.
            "REPLENISH_SOURCE": str(extract),
            "REPLENISH_DATABASE_URL": f"sqlite:///{database}",
            "REPLENISH_ERP__DROP_DIR": str(home / "erp-drop"),
            "REPLENISH_EMAIL__OUTBOX_DIR": str(home / "outbox"),
            # Every order waits for a person, so decision forms open in Prefect.
            "REPLENISH_FLAGS__ORDER_VALUE_LIMIT": "1",
        }
        with (home / "worker.log").open("wb") as out:
            worker = subprocess.Popen(
                [PREFECT, "worker", "start", "--pool", "replenish"],
                cwd=home,
                env=worker_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(worker)
        yield Served(api_url=api_url, env=env, database=database)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


async def trigger_twice(api_url: str) -> tuple[UUID, UUID]:
    """Two runs of the nightly deployment, the second while the first is still going."""
    from prefect.client.orchestration import PrefectClient
    from prefect.states import Scheduled

    async with PrefectClient(api=api_url) as client:
        deployment = await client.read_deployment_by_name("nightly-replenishment/nightly")
        limit = deployment.global_concurrency_limit
        assert limit is not None
        assert limit.limit == 1
        assert deployment.concurrency_options is not None
        assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW"
        first = await client.create_flow_run_from_deployment(
            deployment.id, state=Scheduled(scheduled_time=SCHEDULED)
        )
        second = await client.create_flow_run_from_deployment(
            deployment.id, state=Scheduled(scheduled_time=SCHEDULED)
        )
        return first.id, second.id


async def wait_terminal(api_url: str, run_ids: list[UUID]) -> dict[UUID, str]:
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api=api_url) as client:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            runs = [await client.read_flow_run(run_id) for run_id in run_ids]
            states = {run.id: run.state.type.value if run.state else "" for run in runs}
            if all(state in TERMINAL for state in states.values()):
                return states
            await asyncio.sleep(2)
    pytest.fail(f"flow runs did not finish: {states}")


async def crash_automation(api_url: str) -> bool:
    """prefect.yaml's trigger became an automation that runs operator-alert on a crash."""
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api=api_url) as client:
        automations = await client.read_automations()
    return any(
        "prefect.flow-run.Crashed" in str(a.trigger.model_dump())
        and "RunDeployment" in type(a.actions[0]).__name__
        for a in automations
    )


async def artifact_keys(api_url: str, run_id: UUID) -> set[str]:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async with PrefectClient(api=api_url) as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    return {str(a.key) for a in found if a.key}


def test_the_nightly_deployment_runs_on_a_worker_once_at_a_time(served: Served) -> None:
    first, second = asyncio.run(trigger_twice(served.api_url))
    states = asyncio.run(wait_terminal(served.api_url, [first, second]))

    # One of the two ran to the end; the other was refused by the concurrency limit.
    assert sorted(states.values()) == ["CANCELLED", "COMPLETED"], states
    ran = next(run_id for run_id, state in states.items() if state == "COMPLETED")
    assert asyncio.run(crash_automation(served.api_url))
    keys = asyncio.run(artifact_keys(served.api_url, ran))
    assert {"run-summary", "data-quality", "flagged-orders", "submitted-orders"} <= keys

    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{served.database}")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT as_of, status, flow_run_id FROM runs WHERE source NOT LIKE 'submit%'")
        ).all()
    engine.dispose()
    # The worker read REPLENISH_SOURCE (it crashed every run before) and dated the run on
    # the Berlin day of its scheduled start.
    assert [(str(r.as_of), r.status, r.flow_run_id) for r in rows] == [
        (BERLIN_DAY.isoformat(), "succeeded", str(ran))
    ]
