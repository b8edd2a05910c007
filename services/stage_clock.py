"""Wall-clock seconds and peak memory per stage of a run, and the stage running now."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from services import run_progress
from services.memory_budget import peak_rss_mb, reset_peak, return_large_blocks

P = ParamSpec("P")
R = TypeVar("R")


class StageClock:
    """Wall-clock seconds per stage, for the run summary and the benchmark; the stage
    running now, so a failure names where it happened; and the process's resident
    high-water mark since the run started (None where the OS does not say), so the summary
    can set the night's peak beside its memory budget."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.current = "start"
        self.peak_mb: float | None = None
        return_large_blocks()  # freed frames leave the process instead of staying resident
        reset_peak()  # a worker's earlier nights are not this night's peak

    def run(self, stage: str, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        if stage != self.current:
            run_progress.stage_started(stage)
        self.current = stage
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds[stage] = round(
                self.seconds.get(stage, 0.0) + time.perf_counter() - start, 3
            )
            peak = peak_rss_mb()  # read at each stage's end: a probe may reset it per stage
            if peak is not None:
                self.peak_mb = max(self.peak_mb or 0.0, peak)
