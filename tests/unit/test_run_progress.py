"""The night's progress: stage and block in words, a share that only grows, a Prefect
progress artifact updated at most every few seconds, plain lines off a terminal."""

from __future__ import annotations

import io
from uuid import UUID, uuid4

import pytest

from cli.progress_bar import _PlainLines
from flows import progress_artifact
from services import run_progress
from services.run_progress import Progress
from services.stage_clock import StageClock


def _forecast_steps() -> None:
    run_progress.forecast_step("backtest", "AutoETS, block 1 of 2", 0, 100, 1)
    run_progress.forecast_step("backtest", "AutoETS, block 2 of 2", 0, 100, 2)
    run_progress.forecast_step("forecast", "CrostonSBA, block 1 of 2", 50, 100, 2)


def test_stages_and_forecast_blocks_are_told_in_order() -> None:
    seen: list[Progress] = []
    clock = StageClock()
    with run_progress.listening(seen.append):
        clock.run("extract", lambda: None)
        clock.run("validate", lambda: None)
        clock.run("forecast", _forecast_steps)
        clock.run("plan", lambda: None)
    assert [p.stage for p in seen] == [
        "extract", "validate", "forecast", "forecast", "forecast", "forecast", "plan",
    ]  # fmt: skip
    assert "block 2 of 2" in seen[4].detail
    assert "50 of 100 item-locations" in seen[5].detail
    shares = [p.share for p in seen]
    assert shares == sorted(shares)
    assert shares[0] >= 0
    assert shares[-1] < 1
    # nobody listening outside the block: telling costs nothing and reaches no one
    run_progress.stage_started("report")
    assert len(seen) == 7


def test_the_artifact_is_updated_at_most_every_few_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[tuple[float, str | None]] = []
    updates: list[tuple[UUID, float, str | None]] = []
    artifact = uuid4()

    def create(progress: float, key: str | None = None, description: str | None = None) -> UUID:
        assert key == "nightly-progress"
        made.append((progress, description))
        return artifact

    def update(artifact_id: UUID, progress: float, description: str | None = None) -> UUID:
        updates.append((artifact_id, progress, description))
        return artifact_id

    now = [100.0]
    monkeypatch.setattr(progress_artifact, "create_progress_artifact", create)
    monkeypatch.setattr(progress_artifact, "update_progress_artifact", update)
    monkeypatch.setattr(progress_artifact.time, "monotonic", lambda: now[0])
    shown = progress_artifact.ProgressArtifact(every_s=3.0)
    shown(Progress("extract", "started", 0.0))
    for _ in range(50):  # many blocks within a second: one update at most
        now[0] += 0.02
        shown(Progress("forecast", "forecast of CrostonSBA, block 3 of 9", 0.5))
    now[0] += 3.0
    shown(Progress("forecast", "forecast of CrostonSBA, block 9 of 9", 0.9))
    shown.finish("succeeded")

    assert len(made) == 1
    assert made[0][0] == 0.0
    assert [u[1] for u in updates] == [90.0, 100.0]
    assert "Stage **forecast**" in (updates[0][2] or "")
    assert "block 9 of 9" in (updates[0][2] or "")
    assert "succeeded" in (updates[-1][2] or "")


def test_plain_lines_name_stage_and_block_without_flooding() -> None:
    out = io.StringIO()
    lines = _PlainLines(out, every_s=3600)
    lines(Progress("validate", "started", 0.02))
    lines(Progress("forecast", "started", 0.10))
    lines(Progress("forecast", "backtest of AutoETS, block 2 of 5", 0.2))  # within 1 h
    lines(Progress("plan", "started", 0.93))
    assert out.getvalue().splitlines() == [
        "replenish:   2% validate: started",
        "replenish:  10% forecast: started",
        "replenish:  93% plan: started",
    ]
