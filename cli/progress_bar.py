"""A progress bar on stderr while `backtest` and `simulate` fit their models, and the
nightly run's stage and block while `replenish run` works (`night_progress`).

Both run for minutes on a large catalogue and print nothing until the end, so a person
at a terminal cannot tell slow from hung. The bar shows only when stderr is a terminal
and the output is not --json: a pipe, a log file or a script reading JSON sees exactly
what it saw before, and stdout is never touched. It listens to `forecasting.progress`,
the events the nightly flow logs (the nightly run shows them as Prefect log lines, which
its UI and worker logs keep; a bar would show in neither).

The bar draws on the process's real stderr: `safe_terminal` would escape its cursor
codes. Its texts are ours (stage, model name, counts), passed through `terminal_text`
all the same.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from cli.safe_output import terminal_text
from forecasting import progress
from services import run_progress


@contextmanager
def model_progress(wanted: bool) -> Iterator[None]:
    """Inside the block, forecasting's model calls advance a bar (if `wanted` and a TTY)."""
    stderr = sys.__stderr__  # the process's own: `sys.stderr` may be redirected or wrapped
    if not wanted or stderr is None or not sys.stderr.isatty():  # a redirect means no bar
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        BarColumn(),  # a share once a forecast knows its item-locations, else a pulse
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(file=stderr),
        transient=True,  # gone when done: the terminal keeps only the report
        redirect_stdout=False,  # prints go where they always went
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("fitting models", total=None)

        def advance(stage: str, model: str, series: int) -> None:
            name = terminal_text(model)
            if stage == "catalogue":  # a forecast starts: its item-locations are the total
                bar.update(task, description=f"forecast of {series:,} {name}", total=series,
                           completed=0)  # fmt: skip
            elif stage == "forecast":
                bar.advance(task, series)
                done, total = bar.tasks[0].completed, bar.tasks[0].total
                of = f" of {total:,.0f}" if total else ""
                bar.update(task, description=f"forecast: {name}, {done:,.0f}{of} series")
            else:  # a backtest of one candidate model, inside model selection or `backtest`
                bar.update(task, description=f"{stage}: {name} on {series:,} series")

        with progress.listening(advance):
            yield


@contextmanager
def night_progress(every_s: float = 10.0) -> Iterator[None]:
    """Inside the block, a nightly run's stage and block show on stderr: a bar on a
    terminal, else plain lines (each stage's start, then at most one every `every_s`
    seconds), which a log file or a scheduler's capture keeps readable."""
    stderr = sys.__stderr__
    if stderr is None:
        yield
        return
    if not sys.stderr.isatty():
        with run_progress.listening(_PlainLines(stderr, every_s)):
            yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    with Progress(
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(file=stderr),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("starting", total=100)

        def show(step: run_progress.Progress) -> None:
            text = terminal_text(f"{step.stage}: {step.detail}")
            bar.update(task, completed=100 * step.share, description=text)

        with run_progress.listening(show):
            yield


class _PlainLines:
    """Progress as plain lines: `replenish: 34% forecast: backtest of AutoETS, block 2 of 5`."""

    def __init__(self, stream: TextIO, every_s: float) -> None:
        self.stream, self.every_s = stream, every_s
        self.stage, self.last = "", float("-inf")

    def __call__(self, step: run_progress.Progress) -> None:
        now = time.monotonic()
        if step.stage == self.stage and now - self.last < self.every_s:
            return
        self.stage, self.last = step.stage, now
        text = terminal_text(f"{step.stage}: {step.detail}")
        print(f"replenish: {step.share:4.0%} {text}", file=self.stream, flush=True)
