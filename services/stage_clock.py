"""Wall-clock seconds per stage of a run, and the stage running now."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class StageClock:
    """Wall-clock seconds per stage, for the run summary and the benchmark; and the stage
    running now, so a failure names where it happened."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.current = "start"

    def run(self, stage: str, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        self.current = stage
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds[stage] = round(
                self.seconds.get(stage, 0.0) + time.perf_counter() - start, 3
            )
