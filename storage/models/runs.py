"""What each run read, repaired, quarantined and forecast; monitoring results; the run lock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Run(Base):
    """One nightly run: its inputs, its outcome and its JSON summary.

    While a run works it renews `lease_until` (services.runs.keep_alive); a row still
    `running` past its lease belongs to a process that died, and whoever finds it (the next
    run, the monitoring flow, the crash automation) marks it `crashed`.
    """

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    flow_run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The rollout modes it was made with, {"catalogue": mode, "category:X": mode, ...}
    # (migration 0011): the next run compares its own with them and audits a change.
    rollout: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class InputFile(Base):
    """Per-file row counts of a run; the night-by-night quarantine trend is a query on it."""

    __tablename__ = "input_files"
    __table_args__ = (UniqueConstraint("run_id", "file", name="uq_input_files_run_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    file: Mapped[str] = mapped_column(String(255))
    read: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    repaired: Mapped[int] = mapped_column(Integer)
    quarantined: Mapped[int] = mapped_column(Integer)


class RowDisposition(Base):
    """An input row that was repaired or quarantined, with the raw values as read.

    Accepted rows are only counted (in `input_files`): storing a million clean rows a
    night would cost more than it tells anyone.
    """

    __tablename__ = "row_dispositions"
    __table_args__ = (Index("ix_row_dispositions_run_disposition", "run_id", "disposition"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    file: Mapped[str] = mapped_column(String(255))
    line: Mapped[int] = mapped_column(Integer)
    disposition: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    sku: Mapped[str] = mapped_column(String(64), default="")
    location: Mapped[str] = mapped_column(String(64), default="")
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Forecast(Base):
    """Why a quantity was proposed: the demand class, the model and the distribution."""

    __tablename__ = "forecasts"
    __table_args__ = (UniqueConstraint("run_id", "sku", "location", name="uq_forecasts_series"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(64))
    demand_class: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(64))
    fallback: Mapped[str | None] = mapped_column(Text, nullable=True)
    history_periods: Mapped[int] = mapped_column(Integer)
    mean_per_period: Mapped[float]
    protection_periods: Mapped[float]
    demand_mean: Mapped[float]
    demand_std: Mapped[float]
    service_level: Mapped[float]
    demand_quantile: Mapped[float]
    fit_rmse: Mapped[float | None] = mapped_column(nullable=True)
    # Why this model: its rolling-origin errors, the candidates it beat, and what it forecast.
    backtest_rmsse: Mapped[float | None] = mapped_column(nullable=True)
    backtest_mase: Mapped[float | None] = mapped_column(nullable=True)
    bias: Mapped[float | None] = mapped_column(nullable=True)
    candidates: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    forecast_path: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    # What it was fitted on, up to the period before the run (forecast_path starts with
    # the period after it), and the latest demand against the forecast's expectation.
    history_tail: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    recent_days: Mapped[float | None] = mapped_column(nullable=True)
    recent_demand: Mapped[float | None] = mapped_column(nullable=True)
    recent_expected: Mapped[float | None] = mapped_column(nullable=True)
    recent_std: Mapped[float | None] = mapped_column(nullable=True)
    # Days of history capped as one-off spikes before fitting, and the cap.
    capped_periods: Mapped[int | None] = mapped_column(Integer, nullable=True)
    demand_cap: Mapped[float | None] = mapped_column(nullable=True)
    # Periods spent out of stock with no sale, re-estimated before fitting (0008).
    censored_periods: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The segments monitoring compares accuracy by (migration 0007).
    supplier_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str | None] = mapped_column(String(128), nullable=True)


class MonitoringResult(Base):
    """One segment's forecast accuracy on one monitoring night, beside its own baseline.

    Kept per night so a drift can be traced back, and a segment's accuracy followed over
    months (the Prefect artifacts show only the latest).
    """

    __tablename__ = "monitoring_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    segment: Mapped[str] = mapped_column(String(128))
    series: Mapped[int] = mapped_column(Integer)
    forecasts: Mapped[int] = mapped_column(Integer)
    mase: Mapped[float | None] = mapped_column(nullable=True)
    rmsse: Mapped[float | None] = mapped_column(nullable=True)
    bias: Mapped[float | None] = mapped_column(nullable=True)
    coverage: Mapped[float | None] = mapped_column(nullable=True)
    target: Mapped[float | None] = mapped_column(nullable=True)
    baseline_rmsse: Mapped[float | None] = mapped_column(nullable=True)
    baseline_bias: Mapped[float | None] = mapped_column(nullable=True)
    drift: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")


class RunLock(Base):
    """Who holds a named lock (the nightly run): the SQLite stand-in for an advisory lock.

    On PostgreSQL the lock is `pg_try_advisory_lock`, released by the server when the
    holder's connection dies; SQLite has nothing like it, so a row records the holder's
    host and process and a later run takes the lock over only from a process that is gone,
    or whose lease (`expires_at`, renewed while it holds the lock) ran out.
    """

    __tablename__ = "run_locks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
