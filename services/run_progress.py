"""Where a nightly run is now: its stage, its block of series, a share of the whole night.

A night at M5's size spends minutes in the forecast stage; an operator watching it in the
Prefect UI, or a person at `replenish run`, must tell a slow night from a hung one and
see which stage and which block it is in. The stages tell this module (the stage clock
at each stage's start, the forecast stage at each model call); whoever shows it listens:
the flow's Prefect progress artifact (`flows.progress_artifact`) and the CLI's bar
(`cli.progress_bar`). A context variable, so two runs in one process never hear each
other, and a run nobody listens to pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """One step of a run: `stage` (extract, validate, forecast, ...), what it is doing
    now in words (`detail`, e.g. "forecast of CrostonSBA, block 2 of 4") and the share of
    the night done, 0 to 1 (an estimate: stages are weighted by their usual time)."""

    stage: str
    detail: str
    share: float


Listener = Callable[[Progress], None]

# Each stage's part of the night, as measured on the 10,000 item-location benchmark:
# the forecast is nearly all of it.
SPANS: dict[str, tuple[float, float]] = {
    "extract": (0.0, 0.02),
    "validate": (0.02, 0.10),
    "forecast": (0.10, 0.93),
    "plan": (0.93, 0.95),
    "flag": (0.95, 0.97),
    "route": (0.97, 0.98),
    "submit": (0.98, 0.995),
    "report": (0.995, 1.0),
}
# Inside the forecast: the backtests of the model choice come first (about a third of
# the stage), then the final fits, counted by item-locations forecast.
_BACKTEST_PART = 0.35

_listeners: ContextVar[tuple[Listener, ...]] = ContextVar("run_progress", default=())


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Tell `listener` the progress of the runs made inside the block (nested ones too)."""
    token = _listeners.set((*_listeners.get(), listener))
    try:
        yield
    finally:
        _listeners.reset(token)


def stage_started(stage: str) -> None:
    """A stage starts (the stage clock says so)."""
    start, _ = SPANS.get(stage, (0.0, 0.0))
    _tell(Progress(stage, "started", start))


def forecast_step(kind: str, model: str, done: int, total: int, backtests: int) -> None:
    """A model call of the forecast stage finished: `kind` "backtest" or "forecast",
    `done` of `total` item-locations forecast so far, `backtests` calls made so far."""
    if kind == "backtest":
        within = _BACKTEST_PART * (1 - 0.85**backtests)  # the number of calls is not known
        detail = f"backtest of {model}"
    else:
        within = _BACKTEST_PART + (1 - _BACKTEST_PART) * done / max(total, 1)
        detail = f"forecast of {model}: {done:,} of {total:,} item-locations"
    start, end = SPANS["forecast"]
    _tell(Progress("forecast", detail, start + (end - start) * min(within, 1.0)))


def _tell(progress: Progress) -> None:
    for listener in _listeners.get():
        listener(progress)
