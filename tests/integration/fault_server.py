"""Imported once, by the fork server of `forked_runner`: what fault_runner.py's submit and
route stages import, so that each process forked from the server starts with it loaded.

The server must run one thread when it forks (another thread's locks would be copied
held). OpenBLAS (numpy) and the jemalloc that pyarrow links start one each as they load,
unless told not to here: the stages do no linear algebra, and pyarrow allocates with
mimalloc. Prefect keeps what it read of the environment at import (its settings, its
logging levels): `forked_runner` has it read the case's again in each child. The
project's settings are read only when a stage loads them.
"""

from __future__ import annotations

import importlib
import os
import threading

PRELOADED = [
    "flows.submission",  # Prefect, pandas, the services
    "integrations.email.outbox",
    "integrations.erp.file_drop",
    "integrations.erp.rest",
    "replenish.bootstrap",
    "services.erp_calls",
    "services.notifications",
    "services.review_mail",
    "settings",
    "sqlalchemy.orm",
    "sqlalchemy.dialects.sqlite.pysqlite",  # loaded by the first connection
    "sqlalchemy.dialects.postgresql.psycopg",
    "fault_runner",
    "forked_runner",
    "pytest",  # multiprocessing runs the parent's main module, pytest's, in each child
]

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["JE_ARROW_MALLOC_CONF"] = "background_thread:false"
try:
    for name in PRELOADED:
        importlib.import_module(name)
except ImportError as error:  # the fork server ignores one, and would fork without them
    raise RuntimeError(f"the fork server cannot import {error.name}") from error

threads = len(os.listdir("/proc/self/task"))  # the kernel's count: native threads too
if threads != 1 or threading.active_count() != 1:
    raise RuntimeError(f"the fork server runs {threads} threads: forking it is not safe")
