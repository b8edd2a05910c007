"""A real Prefect installation on loopback for tests where Prefect's behaviour matters:
`prefect server start`, the process work pool, the deployments of prefect.yaml and a
process worker with the operator's REPLENISH_* variables (README "Deploying").

It takes most of a minute to come up on two cores: one per test module.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.objects import FlowRun

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass(frozen=True)
class Served:
    api_url: str
    env: dict[str, str]  # what a prefect command needs to reach this server
    worker: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prefect(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [PREFECT, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
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


@contextmanager
def served_prefect(home: Path, worker_env: Mapping[str, str]) -> Iterator[Served]:
    """Server, pool, `prefect deploy --all` and a worker given `worker_env`; all stopped
    on exit."""
    port = _free_port()
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
        # Poll often: the tests wait for the worker, an operator would not notice.
        "PREFECT_WORKER_QUERY_SECONDS": "2",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with (home / "server.log").open("wb") as out:
            processes.append(subprocess.Popen(
                [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT,
            ))  # fmt: skip
        _wait_for(f"{api_url}/health", processes[0], home / "server.log")
        _prefect("work-pool", "create", "replenish", "--type", "process", "--overwrite", env=env)
        _prefect("--no-prompt", "deploy", "--all", env=env)
        with (home / "worker.log").open("wb") as out:
            processes.append(subprocess.Popen(
                [PREFECT, "worker", "start", "--pool", "replenish"],
                cwd=home, env={**env, **worker_env}, stdout=out, stderr=subprocess.STDOUT,
            ))  # fmt: skip
        yield Served(api_url=api_url, env=env, worker=processes[1])
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:  # throw-away processes: 10 s to stop, then killed (a busy server ignored
                process.wait(timeout=10)  # SIGTERM for the whole 30 s it was given before)
            except subprocess.TimeoutExpired:
                process.kill()


def start(served: Served, deployment: str, parameters: dict[str, Any] | None = None) -> UUID:
    """A run of `deployment` ("flow/deployment"), as `prefect deployment run` starts one."""

    async def create() -> UUID:
        async with PrefectClient(api=served.api_url) as client:
            found = await client.read_deployment_by_name(deployment)
            run = await client.create_flow_run_from_deployment(found.id, parameters=parameters)
            return run.id

    return asyncio.run(create())


def wait_terminal(served: Served, run_ids: list[UUID], seconds: float = 400) -> dict[UUID, str]:
    """The final state type of each run, once all have one."""

    async def poll() -> dict[UUID, str]:
        states: dict[UUID, str] = {}
        async with PrefectClient(api=served.api_url) as client:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                runs = [await client.read_flow_run(run_id) for run_id in run_ids]
                states = {r.id: r.state.type.value if r.state else "" for r in runs}
                if all(state in TERMINAL for state in states.values()):
                    return states
                await asyncio.sleep(2)
        pytest.fail(f"flow runs did not finish: {states}")

    return asyncio.run(poll())


def flow_runs(served: Served, flow_name: str, state: str | None = None) -> list[FlowRun]:
    """Every run of the flow (in state `state`, a state type such as "PAUSED")."""
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    async def read() -> list[FlowRun]:
        async with PrefectClient(api=served.api_url) as client:
            return await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name]))
            )

    runs = asyncio.run(read())
    return [r for r in runs if state is None or (r.state and r.state.type.value == state)]


def read_run(served: Served, run_id: UUID) -> FlowRun:
    async def read() -> FlowRun:
        async with PrefectClient(api=served.api_url) as client:
            return await client.read_flow_run(run_id)

    return asyncio.run(read())
