"""A real Tryton server for the tests: built database cached, started from a copy, stopped after.

`make test` builds Tryton's own virtual environment (`make tryton`, pinned in
ops/tryton-requirements.txt) and names it in REPLENISH_TEST_TRYTON_VENV. The initialised
SQLite database takes 20-60 s to build, so it is built once and kept under `.tryton/`,
keyed on the pinned versions (a database only works with the modules that made it); each
server starts from a copy of it in about a second.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from smtp_inbox import free_port
from tryton_seed import product_user

from integrations.erp.base import ErpUnavailable
from integrations.erp.tryton_rpc import TrytonRpc

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "ops" / "tryton-requirements.txt"
VENV_VARIABLE = "REPLENISH_TEST_TRYTON_VENV"
ADMIN_PASSWORD = "admin-for-tests-only"
MODULES = ("purchase", "purchase_requisition", "stock_supply")
DATABASE = "replenish"


@dataclass(frozen=True)
class TrytonServer:
    url: str
    database: str
    admin_login: str
    admin_password: str

    def admin(self) -> TrytonRpc:
        """The administrator: for setting Tryton up (master data, users), as an IT person
        would; never what replenish logs in as."""
        return TrytonRpc(self.url, self.database, self.admin_login, self.admin_password)

    def product(self) -> TrytonRpc:
        """The product's own user, with the rights docs/erp.md gives it (conftest)."""
        return product_user(self.url, self.database)


def tryton_venv() -> Path | None:
    """The venv `make test` built, or None when the tests run outside make."""
    value = os.environ.get(VENV_VARIABLE)
    return Path(value) if value else None


def template_database(venv: Path, cache: Path) -> Path:
    """The initialised database for the pinned versions, built now if not cached yet."""
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + " ".join(MODULES).encode()).hexdigest()
    folder = cache / f"db-{key[:16]}"
    ready = folder / f"{DATABASE}.sqlite"
    if ready.exists():
        return ready
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two pytest processes build it once
        if ready.exists():
            return ready
        work = cache / f"building-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        (work / f"{DATABASE}.sqlite").touch()
        password_file = work / "admin-password"
        password_file.write_text(ADMIN_PASSWORD)
        env = _env(work) | {"TRYTONPASSFILE": str(password_file)}
        command = [str(venv / "bin" / "trytond-admin"), "-d", DATABASE, "--all", "-u", *MODULES]
        command += ["--activate-dependencies", "--email", "admin@example.com"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"trytond-admin failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        password_file.unlink()
        shutil.rmtree(folder, ignore_errors=True)
        work.rename(folder)
    return ready


@contextmanager
def running_tryton(venv: Path, template: Path, workdir: Path) -> Iterator[TrytonServer]:
    """`trytond -d <db>` on a free loopback port, from a fresh copy of the template."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, workdir / f"{DATABASE}.sqlite")
    port = free_port()
    env = _env(workdir) | {"TRYTOND_WEB__LISTEN": f"127.0.0.1:{port}"}
    log = (workdir / "trytond.log").open("w")
    process = subprocess.Popen(
        [str(venv / "bin" / "trytond"), "-d", DATABASE], env=env, stdout=log, stderr=log
    )
    server = TrytonServer(f"http://127.0.0.1:{port}", DATABASE, "admin", ADMIN_PASSWORD)
    try:
        _wait_until_up(server, process, workdir / "trytond.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(server: TrytonServer, process: subprocess.Popen[bytes], log: Path) -> None:
    rpc = TrytonRpc(server.url, server.database, "", "", timeout=2.0)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"trytond exited with {process.returncode}:\n{log.read_text()}")
        try:
            rpc.version()
            return
        except ErpUnavailable:
            time.sleep(0.2)
    raise RuntimeError(f"trytond did not answer within 60 s:\n{log.read_text()}")


def _env(database_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRYTOND_")}
    return env | {
        "TRYTOND_DATABASE__URI": "sqlite://",
        "TRYTOND_DATABASE__PATH": str(database_dir),
        "TRYTOND_SESSION__TIMEOUT": "3600",
    }
