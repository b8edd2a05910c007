"""The forecast stage on a Dask cluster: one the business already runs, or a local one.

`forecast.dask_address` names the cluster: a scheduler address (`tcp://host:8786`) to
use an existing cluster, or `local` / `local:N` for a cluster of N worker processes on
this machine (one per core when N is left out), started for the forecast and stopped
after it. The model calls then go through statsforecast's distributed backend (Fugue
on Dask), so the cluster does the model work with statsforecast's own code; the
workers need the same Python packages as this process (this package included: the
fallback model is one of its classes).

Dask is an optional dependency (`pip install 'replenish[dask]'`): it is imported only
when an address is set, and a missing install is said in one line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

_LOCAL = re.compile(r"local(?::(\d+))?")
# A scheduler that does not answer within this many seconds fails the stage with a
# clear error instead of hanging the night.
CONNECT_TIMEOUT_S = 30


class DaskUnavailable(RuntimeError):
    """The address is set but Dask is not installed, or the cluster cannot be reached."""


def local_workers(address: str) -> int | None:
    """Worker processes of a local cluster ("local" = one per core), or None for an
    address of an existing cluster."""
    match = _LOCAL.fullmatch(address.strip().lower())
    if match is None:
        return None
    return max(1, int(match.group(1) or os.cpu_count() or 1))


class DaskBackend:
    """Moves the forecast's frames to and from the cluster a client is connected to
    (`forecasting.execution.Backend`)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def distribute(self, frame: pd.DataFrame) -> Any:
        import dask.dataframe as dd

        # Arrow, under Fugue, has no type for a pandas categorical: ids travel as text.
        frame = frame.assign(unique_id=frame["unique_id"].astype(str))
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        return dd.from_pandas(frame, npartitions=2 * workers, sort=False)

    def collect(self, result: Any) -> pd.DataFrame:
        computed = self.client.compute(result).result()
        return computed if isinstance(computed, pd.DataFrame) else pd.DataFrame(computed)


@contextmanager
def dask_backend(address: str | None) -> Iterator[DaskBackend | None]:
    """A backend on the cluster `address` names for the block; None without an address."""
    if not address:
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:  # the optional extra is not installed
        raise DaskUnavailable(
            f"forecast.dask_address is {address!r} but Dask is not installed "
            "(pip install 'replenish[dask]')"
        ) from error
    workers = local_workers(address)
    if workers is not None:
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,  # statsforecast's models hold the GIL
                processes=True,
                host="127.0.0.1",  # never listens beyond this machine
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield DaskBackend(client)
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as error:
        raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {error}") from error
    with client:
        yield DaskBackend(client)
