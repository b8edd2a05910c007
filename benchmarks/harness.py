"""Measuring one step at a time: a fresh process, wall and CPU time, peak memory, a table.

Every measured step runs in its own spawned interpreter so that nothing one step
allocated (pandas caches, freed-but-kept arena pages, imported modules) inflates the
next one's memory, and so that ours and the plain library start from the same state.

Peak memory is the resident high-water mark of that process while the step ran. It is
read from /proc (VmHWM), reset after the step's inputs were loaded, not from
`getrusage().ru_maxrss`: on Linux a spawned child's ru_maxrss starts at the *parent's*
high-water mark (the kernel carries it over the exec), so a parent holding 2 GB makes
every child report 2 GB. ru_maxrss is used only where /proc cannot be reset.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.report import Measurement, Report, Row, render

MB = 1024 * 1024


@dataclass(frozen=True)
class Options:
    """What the command line asked of every benchmark."""

    quick: bool = False  # smaller sizes, for a smoke run in a minute or two
    repeat: int = 1  # runs per measured step; the median is reported
    forecast_budget_s: float | None = None  # None = the benchmark's own default; 0 = no cap
    series: int | None = None  # the night benchmark's catalogue size; None = its default
    dask_address: str | None = None  # the night benchmark's forecast.dask_address


@dataclass(frozen=True)
class Step:
    """One measured step: `setup(*args)` loads its inputs (not timed), `run` is timed.

    Both must be module-level functions: the spawned child imports them by name.
    `run` returns a small dict of facts (row counts, ...) shown next to the figures.
    """

    label: str
    setup: Callable[..., Any]
    run: Callable[[Any], dict[str, Any]]
    args: tuple[Any, ...] = ()


# --- the child side --------------------------------------------------------------------


def _status_kb(name: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(name + ":"):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's RSS high-water mark to the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return _status_kb("VmHWM") is not None


def _maxrss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / MB


def _child(conn: Any, step: Step) -> None:
    try:
        start = time.perf_counter()
        inputs = step.setup(*step.args)
        setup_s = time.perf_counter() - start
        gc.collect()
        can_reset = _reset_peak()
        rss_kb = _status_kb("VmRSS")
        before = rss_kb / 1024 if rss_kb is not None else _maxrss_mb()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        info = step.run(inputs)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        hwm_kb = _status_kb("VmHWM") if can_reset else None
        peak = hwm_kb / 1024 if hwm_kb is not None else _maxrss_mb()
        conn.send(
            Measurement(
                label=step.label,
                wall_s=wall,
                cpu_s=cpu,
                peak_rss_mb=peak,
                rss_before_mb=before,
                peak_source="VmHWM" if hwm_kb is not None else "ru_maxrss",
                setup_s=setup_s,
                info=info,
            )
        )
    except BaseException:  # the parent must hear about any failure, not wait forever
        conn.send(traceback.format_exc())
    finally:
        conn.close()


# --- the parent side -------------------------------------------------------------------


def measure_once(step: Step) -> Measurement:
    """Run `step` in a fresh spawned interpreter and return what it cost."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, step), name=step.label)
    process.start()
    send.close()
    try:
        outcome = receive.recv()
    except EOFError:
        outcome = f"the child process died (exit code {process.exitcode}); out of memory?"
    process.join()
    if isinstance(outcome, str):
        raise RuntimeError(f"{step.label}: failed in its child process:\n{outcome}")
    assert isinstance(outcome, Measurement)
    return outcome


def measure(
    steps: Sequence[Step], repeat: int = 1, *, log: Callable[[str], None] | None = None
) -> list[Measurement]:
    """Each step `repeat` times, interleaved (A B A B ...), one fresh process per run.

    Interleaving puts a burst of load from elsewhere on both sides of a comparison
    rather than on one. Reported: the median wall and CPU time (a nightly run gets the
    machine it gets; one lucky run says little) and the largest peak; facts (`info`)
    come from the last run.
    """
    log = log or progress
    runs: list[list[Measurement]] = [[] for _ in steps]
    for attempt in range(repeat):
        for step, done in zip(steps, runs, strict=True):
            suffix = f" ({attempt + 1}/{repeat})" if repeat > 1 else ""
            log(f"  measuring {step.label.strip()}{suffix} ...")
            done.append(measure_once(step))
            log(f"    {done[-1].wall_s:,.2f} s wall, {done[-1].peak_rss_mb:,.0f} MB peak")
    return [_summarised(done) for done in runs]


def _summarised(runs: list[Measurement]) -> Measurement:
    last = runs[-1]
    return Measurement(
        label=last.label,
        wall_s=statistics.median(r.wall_s for r in runs),
        cpu_s=statistics.median(r.cpu_s for r in runs),
        peak_rss_mb=max(r.peak_rss_mb for r in runs),
        rss_before_mb=min(r.rss_before_mb for r in runs),
        peak_source=last.peak_source,
        setup_s=last.setup_s,
        info=last.info,
    )


def progress(message: str) -> None:
    """Progress goes to stderr so that stdout holds only the tables."""
    print(message, file=sys.stderr, flush=True)


def load_average() -> str:
    """The 1/5/15-minute load when a run starts: a busy machine explains odd figures."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        one, five, fifteen = os.getloadavg()
        return f"{one:.2f} {five:.2f} {fifteen:.2f}"


__all__ = ["Measurement", "Options", "Report", "Row", "Step", "measure", "measure_once", "render"]
