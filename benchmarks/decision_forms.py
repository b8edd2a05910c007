"""What the Prefect UI's decision forms cost a machine: memory and processes, measured.

`python -m benchmarks.decision_forms [--orders 30] [--approvers 1] [--port P] [--json FILE]
[--keep DIR]`

Runs what an installation runs (README "Deploying"): a Prefect server, the process work
pool, every deployment of prefect.yaml and a worker, all in a temporary folder (`--keep`:
in DIR, logs kept). The extract makes exactly `--orders` orders wait for one buyer, or
for `--approvers` buyers in turn (benchmarks/decision_forms_extract.py). One night runs
through the `nightly` deployment; the script waits until the night is over and no flow
run is going any more, then keeps sampling.

Printed: the total resident memory (RSS, summed over the server and the worker with every
process they started) and the process count, at their peak while the night and its forms
ran and in the steady state with the orders waiting, plus the flow runs left waiting
(Paused/Suspended) in Prefect. RSS counts shared pages once per process, so the totals err
on the high side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from benchmarks.decision_forms_extract import AS_OF, one_buyer_extract

ROOT = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))
MB = 1024 * 1024


@dataclass
class Sampled:
    peak_rss_mb: float = 0.0
    peak_processes: int = 0
    steady_rss_mb: float = 0.0
    steady_processes: int = 0
    by_process_mb: dict[str, float] = field(default_factory=dict)
    at_peak_mb: dict[str, float] = field(default_factory=dict)


def tree(pids: list[int]) -> list[psutil.Process]:
    found: list[psutil.Process] = []
    for pid in pids:
        try:
            root = psutil.Process(pid)
            found += [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    return found


def total_rss(processes: list[psutil.Process]) -> tuple[float, dict[str, float]]:
    each: dict[str, float] = {}
    for process in processes:
        try:
            name = f"{process.pid} {' '.join(process.cmdline()[1:4])}"
            each[name] = process.memory_info().rss / MB
        except psutil.NoSuchProcess:
            continue
    return sum(each.values()), each


def serve(
    home: Path, port: int, orders: int, approvers: int
) -> tuple[list[subprocess.Popen[bytes]], dict[str, str]]:
    api = f"http://127.0.0.1:{port}/api"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "REPLENISH_"))}
    env = {
        **base,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_UI_URL": f"http://127.0.0.1:{port}",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=log,
        stderr=log,
    )
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{api}/health", timeout=2)
            break
        except OSError:
            time.sleep(1)
    for args in (
        ["work-pool", "create", "replenish", "--type", "process", "--overwrite"],
        ["--no-prompt", "deploy", "--all"],
    ):
        subprocess.run([PREFECT, *args], cwd=ROOT, env=env, check=True, capture_output=True)
    one_buyer_extract(home / "tonight", orders, approvers)
    worker_env = {
        **env,
        "REPLENISH_SOURCE": str(home / "tonight"),
        "REPLENISH_CONFIG": str(home / "config.toml"),
        "REPLENISH_DATABASE_URL": f"sqlite:///{home / 'replenish.db'}",
        "REPLENISH_ERP__DROP_DIR": str(home / "erp-drop"),
        "REPLENISH_EMAIL__OUTBOX_DIR": str(home / "outbox"),
    }
    wlog = (home / "worker.log").open("wb")
    worker = subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "replenish"],
        cwd=home,
        env=worker_env,
        stdout=wlog,
        stderr=wlog,
    )
    return [server, worker], env


def now() -> datetime:
    return datetime.now(UTC)


async def night_and_forms(api: str, sample: Sampled, pids: list[int]) -> dict[str, int]:
    """Run a night; wait for it and every run it started to settle; count runs by state."""
    from prefect.client.orchestration import PrefectClient
    from prefect.states import Scheduled

    async with PrefectClient(api=api) as client:
        nightly = await client.read_deployment_by_name("nightly-replenishment/nightly")
        await client.create_flow_run_from_deployment(
            nightly.id, parameters={"as_of": AS_OF.isoformat()}, state=Scheduled()
        )
        quiet_since, deadline = None, time.monotonic() + 1200
        while time.monotonic() < deadline:
            # Scheduled runs of the cron schedules wait for tomorrow: not going.
            going = [
                r
                for r in await client.read_flow_runs()
                if r.state
                and (
                    r.state.type.value in {"PENDING", "RUNNING"}
                    or (
                        r.state.type.value == "SCHEDULED"
                        and (r.next_scheduled_start_time or r.expected_start_time or now()) <= now()
                    )
                )
            ]
            children = len(tree(pids)) - len(pids)
            busy = going or children > 0
            quiet_since = None if busy else (quiet_since or time.monotonic())
            if quiet_since and time.monotonic() - quiet_since > 20:
                break
            await asyncio.sleep(2)
        counts: dict[str, int] = {}
        for run in await client.read_flow_runs():
            flow = await client.read_flow(run.flow_id)
            name = f"{flow.name} {run.state_name}"
            counts[name] = counts.get(name, 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.decision_forms")
    parser.add_argument("--orders", type=int, default=30, help="orders waiting for one buyer")
    parser.add_argument("--approvers", type=int, default=1, help="buyers they wait for")
    parser.add_argument("--port", type=int, default=0, help="Prefect server port (0: a free one)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep its logs")
    args = parser.parse_args()
    port = args.port or _free_port()
    sample, stop = Sampled(), threading.Event()
    with tempfile.TemporaryDirectory(prefix="decision-forms-") as temporary:
        folder = str(args.keep or temporary)
        Path(folder).mkdir(parents=True, exist_ok=True)
        processes, env = serve(Path(folder), port, args.orders, args.approvers)
        pids = [p.pid for p in processes]

        def watch() -> None:
            while not stop.wait(0.5):
                found = tree(pids)
                rss, each = total_rss(found)
                if rss > sample.peak_rss_mb:
                    sample.peak_rss_mb, sample.at_peak_mb = rss, each
                sample.peak_processes = max(sample.peak_processes, len(found))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            runs = asyncio.run(night_and_forms(env["PREFECT_API_URL"], sample, pids))
            time.sleep(10)
            found = tree(pids)
            sample.steady_rss_mb, sample.by_process_mb = total_rss(found)
            sample.steady_processes = len(found)
            if not any(name.startswith("nightly-replenishment Completed") for name in runs):
                log = (Path(folder) / "worker.log").read_text()[-4000:]
                sys.exit(f"the night did not complete ({runs}); the worker's log:\n{log}")
            waiting = _waiting_orders(Path(folder) / "replenish.db")
        finally:
            stop.set()
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=60)
    figures = {"orders_waiting": waiting, "flow_runs": runs, **asdict(sample)}
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def _waiting_orders(database: Path) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM purchase_orders WHERE status = 'pending_review'")
        ).scalar_one()
    engine.dispose()
    return int(count)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    main()
