"""The README's "Deploying" steps, verbatim, against a real Prefect server on loopback: the
shell block is read from README.md and run by bash as an operator would paste it, with
only what the README says to change (the port, in steps 1 and 2, a free one and never
4200; the config file, the extract folder and the secrets). Then: the nightly
deployment triggered through the API and a run
killed with its worker (SIGKILL) found, said and followed by a rerun.

One server, pool, deployment and worker for the module (they take most of a minute to
come up on two cores); the sample extract is tiny.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import pytest
import yaml
from prefect.client.schemas.objects import FlowRun

from cli.sample_data import write_sample_data

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
# 01:30 Europe/Berlin on 15 July 2026 (summer time, UTC+2) is 23:30 UTC on the 14th.
SCHEDULED = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
BERLIN_DAY = date(2026, 7, 15)
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
SILENT_AFTER_SECONDS = 60  # the least the setting allows: two heartbeats of 30 s missed
T = TypeVar("T")


@dataclass
class Served:
    api_url: str
    ui_url: str
    env: dict[str, str]
    database: Path
    outbox: Path
    home: Path
    script: subprocess.Popen[bytes]
    restarted: list[subprocess.Popen[bytes]] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return port if port != 4200 else free_port()  # the point is a port that is not the default


def readme_deploy_steps() -> str:
    """The shell block of README "Deploying", as an operator copies it."""
    section = (ROOT / "README.md").read_text().split("\n## Deploying\n", 1)[1]
    return section.split("```sh\n", 1)[1].split("\n```", 1)[0] + "\n"


def as_edited(steps: str, edits: dict[str, str]) -> str:
    """The steps with what the README tells the operator to fill in (each must be there)."""
    for placeholder, value in edits.items():
        assert placeholder in steps, f"README Deploying no longer has {placeholder!r}"
        steps = steps.replace(placeholder, value)
    return steps


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the deploy steps exited:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(1)
    pytest.fail(f"prefect server did not answer on {url}:\n{log.read_text()[-3000:]}")


async def automation_names(api_url: str) -> list[str]:
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api=api_url) as client:
        return [a.name for a in await client.read_automations()]


async def silence_window(api_url: str) -> float:
    """Seconds of silence after which the crash automation of step 4 crashes a run."""
    from prefect.client.orchestration import PrefectClient
    from prefect.events.schemas.automations import EventTrigger

    from flows.automations import NAME

    async with PrefectClient(api=api_url) as client:
        (automation,) = await client.read_automations_by_name(NAME)
    assert isinstance(automation.trigger, EventTrigger)
    return automation.trigger.within.total_seconds()


def wait_deployed(served_api: str, script: subprocess.Popen[bytes], log: Path) -> None:
    """Until step 4 is done (the automation is the last thing it registers)."""
    from flows.automations import NAME

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if script.poll() is not None:
            pytest.fail(f"the deploy steps exited:\n{log.read_text()[-3000:]}")
        if NAME in asyncio.run(automation_names(served_api)):
            return
        time.sleep(2)
    pytest.fail(f"the deploy steps did not finish:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """README "Deploying" steps 1-5 as written, run by bash: server, pool, deployments,
    automation, worker."""
    home = tmp_path_factory.mktemp("operator")
    port = free_port()
    database, outbox = home / "replenish.db", home / "outbox"
    extract = home / "tonight"
    write_sample_data(extract, items=6, seed=3, dirty=0.0, as_of=BERLIN_DAY)
    config = home / "config.toml"
    config.write_text(
        f'database_url = "sqlite:///{database}"\n'
        f'[email]\noutbox_dir = "{outbox}"\n'
        f'[erp]\ndrop_dir = "{home / "erp-drop"}"\n'
        # Every order waits for a person, so decision forms open in Prefect.
        "[flags]\norder_value_limit = 1\n"
    )
    steps = as_edited(
        readme_deploy_steps(),
        {
            "4200": str(port),
            "/etc/replenish/config.toml": str(config),
            "/data/replenish/tonight": str(extract),
            "REPLENISH_REVIEW__SECRET=...": f"REPLENISH_REVIEW__SECRET={secrets.token_urlsafe(32)}",
            "REPLENISH_EMAIL__SMTP_PASSWORD=...": "REPLENISH_EMAIL__SMTP_PASSWORD=unused",
        },
    )
    (home / "deploy.sh").write_text(steps)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "REPLENISH_"))}
    env = {
        **base,
        "PREFECT_HOME": str(home / "prefect"),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # Poll often: the test waits for the worker, an operator would not notice.
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        # A killed run is dead after 1 minute of silence, not 2 (the crash automation of
        # step 4 and the lease of the runs the worker starts): the test waits less.
        "REPLENISH_RUN__SILENT_AFTER_SECONDS": str(SILENT_AFTER_SECONDS),
    }
    api_url = f"http://127.0.0.1:{port}/api"
    log = home / "deploy.log"
    with log.open("wb") as out:
        script = subprocess.Popen(
            ["bash", "-e", str(home / "deploy.sh")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    served = Served(
        api_url=api_url,
        ui_url=f"http://127.0.0.1:{port}",
        env={**env, "PREFECT_API_URL": api_url},
        database=database,
        outbox=outbox,
        home=home,
        script=script,
    )
    try:
        wait_for(f"{api_url}/health", script, log)
        wait_deployed(api_url, script, log)
        yield served
    finally:
        for process in [*served.restarted, script]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*served.restarted, script]:
            try:  # throw-away processes: 10 s to stop, then killed (30 s were spent here)
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def test_the_ui_calls_the_api_on_the_port_it_was_started_on(served: Served) -> None:
    """Step 1 before step 2: on a port other than 4200 the UI asks the right API (it read
    PREFECT_API_URL when the server started), not 127.0.0.1:4200 ("Oops")."""
    with urllib.request.urlopen(f"{served.ui_url}/ui-settings", timeout=10) as answer:
        settings = json.load(answer)
    assert settings["api_url"] == served.api_url


def test_every_deployment_of_prefect_yaml_is_registered_as_documented(served: Served) -> None:
    from prefect.client.orchestration import PrefectClient

    declared = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]

    async def registered() -> dict[str, bool]:
        async with PrefectClient(api=served.api_url) as client:
            found = await client.read_deployments()
        return {d.name: d.global_concurrency_limit is not None for d in found}

    assert asyncio.run(registered()) == {
        d["name"]: "concurrency_limit" in d for d in declared
    }  # the docs' statements are tested against prefect.yaml in tests/unit/test_deploy_docs.py


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


async def decision_runs(api_url: str, state: str | None = None) -> list[FlowRun]:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    async with PrefectClient(api=api_url) as client:
        runs = await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["approver-decisions"]))
        )
    return [r for r in runs if state is None or (r.state and r.state.type.value == state)]


def _proc(pid: int, part: str) -> list[str]:
    return (Path("/proc") / str(pid) / part).read_bytes().decode().split("\0")


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(child) for child in found.stdout.split()]


def _worker(script: int) -> int:
    """The worker step 5 started (a child of the deploy script's bash)."""
    for child in _children(script):
        if "worker" in _proc(child, "cmdline"):
            return child
    pytest.fail("no worker process under the deploy steps")


def _run_row(database: Path, flow_run_id: UUID) -> tuple[str, str]:
    """`runs.status` and `message` of a flow run's run (empty before it is recorded)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT status, message FROM runs WHERE flow_run_id = :id"),
            {"id": str(flow_run_id)},
        ).first()
    engine.dispose()
    return (str(row[0]), str(row[1])) if row else ("", "")


def _until(what: str, check: Callable[[], T | None], seconds: float) -> T:
    """Wait for something that happens on its own time (no timing is asserted)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(2)
    pytest.fail(f"never happened: {what}")


async def _state(api_url: str, run_id: UUID) -> str:
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api=api_url) as client:
        run = await client.read_flow_run(run_id)
    return run.state.type.value if run.state else ""


async def _heartbeats(api_url: str, run_id: UUID) -> int:
    from prefect.client.orchestration import PrefectClient
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    wanted = EventFilter(
        event=EventNameFilter(name=["prefect.flow-run.heartbeat"]),
        resource=EventResourceFilter(id=[f"prefect.flow-run.{run_id}"]),
    )
    async with PrefectClient(api=api_url) as client:
        page = await client.read_events(wanted, limit=50)  # the server allows 50 a page
    return len(page.events)


async def _trigger(api_url: str, parameters: dict[str, object]) -> UUID:
    from prefect.client.orchestration import PrefectClient
    from prefect.states import Scheduled

    async with PrefectClient(api=api_url) as client:
        found = await client.read_deployment_by_name("nightly-replenishment/nightly")
        run = await client.create_flow_run_from_deployment(
            found.id, parameters=parameters, state=Scheduled(scheduled_time=SCHEDULED)
        )
    return run.id


def _crash_alert(outbox: Path, flow_run_id: UUID) -> str | None:
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(("plain",))
        text = str(body.get_content()) if body is not None else ""
        if "crashed" in str(message["Subject"]).lower() and str(flow_run_id) in text:
            return text
    return None


def test_a_run_killed_with_its_worker_is_crashed_told_and_the_next_one_runs(
    served: Served,
) -> None:
    """kill -9 of the worker and the flow process mid-run (runs after the tests above:
    their decision forms wait Suspended meanwhile, and must stay so)."""
    bigger = served.home / "bigger"
    write_sample_data(bigger, items=40, seed=4, dirty=0.0, as_of=BERLIN_DAY)
    killed = asyncio.run(_trigger(served.api_url, {"source": str(bigger)}))
    _until("the run recorded", lambda: _run_row(served.database, killed)[0] == "running", 300)
    # The automation watches a run from its first heartbeat on (flows.automations), which
    # the run sends as it starts; killed before Prefect received it (the first second), a
    # run is left to the next run and the monitoring flow, as test_dead_runs shows.
    beats = lambda: asyncio.run(_heartbeats(served.api_url, killed))  # noqa: E731
    _until("the run's first heartbeat reached Prefect", beats, 120)
    worker = _worker(served.script.pid)
    environment = dict(v.split("=", 1) for v in _proc(worker, "environ") if "=" in v)
    flows = _children(worker)
    assert flows, "the flow run's process"
    for pid in flows:  # the heartbeat setting of prefect.yaml reached the flow's process
        assert "PREFECT_FLOWS_HEARTBEAT_FREQUENCY=30" in _proc(pid, "environ")
    for pid in [worker, *flows]:
        os.kill(pid, signal.SIGKILL)
    # The service manager (systemd Restart=always) starts the worker again, as it was.
    with (served.home / "worker-2.log").open("wb") as out:
        restarted = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", "replenish"],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    served.restarted.append(restarted)

    # Prefect: Crashed by the heartbeat automation after SILENT_AFTER_SECONDS of silence
    # (the setting in the environment of step 4 reached the automation).
    assert asyncio.run(silence_window(served.api_url)) == SILENT_AFTER_SECONDS
    crashed = lambda: asyncio.run(_state(served.api_url, killed)) == "CRASHED"  # noqa: E731
    _until("the run Crashed in Prefect", crashed, 480)
    # The product: closed as crashed in `runs`, and the operator told, with the link the
    # operator opens (PREFECT_UI_URL).
    closed = lambda: _run_row(served.database, killed)[0] == "crashed"  # noqa: E731
    _until("the run crashed in `runs`", closed, 300)
    assert "no sign of life since" in _run_row(served.database, killed)[1]
    told = _until("the operator's e-mail", lambda: _crash_alert(served.outbox, killed), 300)
    assert f"{served.ui_url}/runs/flow-run/{killed}" in told

    # The concurrency slot is free: a rerun runs, it is not cancelled.
    rerun = asyncio.run(_trigger(served.api_url, {}))
    states = asyncio.run(wait_terminal(served.api_url, [rerun]))
    assert states[rerun] == "COMPLETED"
    assert _run_row(served.database, rerun)[0] == "succeeded"
    # Suspended decision forms send no heartbeat, and are not taken for dead.
    assert asyncio.run(decision_runs(served.api_url, "CRASHED")) == []
