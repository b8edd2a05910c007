"""fault_runner.py's submit and route stages in processes forked from a server that has
already imported what they import: multiprocessing's "forkserver", one per pytest process.

A fresh `python fault_runner.py` spends 2.5-4 CPU-s importing SQLAlchemy, Prefect, pandas
and the settings before it does anything, and the fault tests start two per case. A child
forked from the server (see fault_server.py) is still an OS process of its own, killed
with SIGKILL at the same points (exit code -9), talking to the real databases, ERP and
drop folder; it runs `fault_runner.main()` with the case's environment, set before
anything reads a setting. Its stdout and stderr go to a file in the case's folder, read
back for the tests' assertion messages. The nightly stage (test_dead_runs.py), which runs
a flow on a Prefect server, stays a plain subprocess.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.process import BaseProcess
from pathlib import Path

import fault_runner

CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["fault_server"])
HERE = Path(__file__).parent
_server_started = False


@dataclass
class Forked:
    """A started stage: its process, and the file its output goes to."""

    process: BaseProcess
    output: Path

    def wait(self, timeout: float) -> subprocess.CompletedProcess[str]:
        """Its end as `subprocess.run` tells one: `returncode` (-9: killed) and, as
        `stderr`, all it printed. Killed and TimeoutError when not done in time."""
        self.process.join(timeout)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
            raise TimeoutError(f"fault_runner still running after {timeout} s, see {self.output}")
        code = self.process.exitcode
        self.process.close()
        printed = self.output.read_text(errors="replace")
        return subprocess.CompletedProcess(["fault_runner.py"], code, "", printed)


def start(env: Mapping[str, str], folder: Path) -> Forked:
    """`fault_runner.main()` in a new process whose environment is exactly `env`, its
    output in a new file in `folder`; it runs beside the caller until `wait`."""
    _start_server()
    output = folder / f"runner-{uuid.uuid4().hex[:8]}.log"
    output.touch()
    process = CONTEXT.Process(target=_stage, args=(dict(env), str(output)), name="fault_runner")
    process.start()
    return Forked(process, output)


def run(env: Mapping[str, str], folder: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """`start`, then `wait`."""
    return start(env, folder).wait(timeout)


def _start_server() -> None:
    """The fork server, once per pytest process. Python 3.11's ignores the import path it
    is handed (it has the working folder and $PYTHONPATH only) and would skip
    fault_server.py without a word, so this folder joins $PYTHONPATH while it starts (a
    process that another thread started in that moment would get it too)."""
    global _server_started
    if _server_started:
        return
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), before]))
    try:
        forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before
    _server_started = True


def _stage(env: dict[str, str], output: str) -> None:
    """In the child: its output to the file, the case's environment, then the stage."""
    with open(output, "ab") as file:
        os.dup2(file.fileno(), 1)
        os.dup2(file.fileno(), 2)
    os.environ.clear()
    os.environ.update(env)
    # Prefect read the server's environment at import: its settings and logging levels
    # read the case's now, as in a fresh process (the project's settings are read later).
    from prefect.context import refresh_global_settings_context
    from prefect.logging.configuration import setup_logging

    refresh_global_settings_context()
    setup_logging()
    fault_runner.main()
