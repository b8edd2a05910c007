"""The nightly run's progress as a Prefect progress artifact: stage, block and share done.

Created when the run's first stage starts (key `nightly-progress`, so the Artifacts page
keeps one line of history per night) and updated at most every `EVERY_S` seconds: a
model call per block may finish several times a second on a small catalogue, and every
update is an API call. The last update, whatever the throttle, says how the run ended.
A progress display that fails (the API busy) is logged and never fails the night.
"""

from __future__ import annotations

import time
from uuid import UUID

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact

from services.run_progress import Progress

KEY = "nightly-progress"
EVERY_S = 3.0


class ProgressArtifact:
    """A `services.run_progress` listener that keeps one progress artifact up to date."""

    def __init__(self, every_s: float = EVERY_S) -> None:
        self.every_s = every_s
        self.artifact: UUID | None = None
        self.last = float("-inf")
        self.broken = False
        self.latest: Progress | None = None

    def __call__(self, progress: Progress) -> None:
        self.latest = progress
        if time.monotonic() - self.last >= self.every_s:
            self._publish(progress.share, _describe(progress))

    def finish(self, status: str) -> None:
        """The run ended: 100% and its status, whenever the last update was."""
        stage = self.latest.stage if self.latest else "start"
        if self.artifact is not None or self.latest is not None:
            self._publish(1.0, f"Nightly run **{status}** (last stage: {stage}).")

    def _publish(self, share: float, description: str) -> None:
        if self.broken:
            return
        percent = round(100 * min(max(share, 0.0), 1.0), 1)
        try:
            if self.artifact is None:
                made = create_progress_artifact(progress=percent, key=KEY, description=description)
                self.artifact = made if isinstance(made, UUID) else None  # sync flow: a UUID
            else:
                update_progress_artifact(self.artifact, percent, description=description)
        except Exception as error:  # a display: never the reason a night fails
            self.broken = True
            get_run_logger().warning("Progress artifact not updated: %s", error)
        self.last = time.monotonic()


def _describe(progress: Progress) -> str:
    """Markdown the UI shows beside the bar: the stage, then what it is doing."""
    return f"Stage **{progress.stage}**: {progress.detail} ({progress.share:.0%} of the night)."
