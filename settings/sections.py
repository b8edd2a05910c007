"""The sections of the settings that are plain models: approvals, e-mail, source, review
page, ERP and monitoring. The pure parts' own settings (flags, policy, validation,
forecast) are their models in `purchasing`, `dataquality` and `forecasting`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from approvals.policy import RoutingPolicy
from integrations.sources.sql_config import SqlSourceConfig


class ApprovalRouting(RoutingPolicy):
    """Who reviews flagged orders, by when, and what happens when nobody does.

    Routing rules by supplier, category, location and value tier (see
    `approvals.policy`), deputies, deadlines per tier; plus who hears about failed runs.
    """

    operator: str = Field(
        default="operator@example.com",
        description="Receives data-quality alerts and failed-run notices.",
    )
    prefect_forms: bool = Field(
        default=True,
        description="Under a Prefect server, open one decision form (an approver-decisions "
        "flow run) per person with orders waiting, listing them all; off: decisions only on "
        "the review page and the CLI.",
    )


class EmailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transport: Literal["outbox", "smtp"] = "outbox"
    outbox_dir: Path = Path("outbox")
    sender: str = "replenish@example.com"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_attempts: int = Field(
        default=3,
        ge=1,
        description="Tries per message on a transient failure (network, 4xx), 2 s, 4 s, ... apart.",
    )
    send_retries: int = Field(
        default=2, ge=0, description="Prefect retries of the e-mail stage (route) after a failure."
    )
    retry_delay_seconds: list[float] = Field(
        default_factory=lambda: [30.0, 120.0],
        description="Wait before each retry (the last value repeats).",
    )


class SourceSettings(BaseModel):
    """Where the nightly extract comes from: a CSV folder (default) or a SQL database."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["csv_folder", "sql"] = "csv_folder"
    folder: Path | None = Field(
        default=None, description="The CSV folder when `replenish run` gets no --source."
    )
    sql: SqlSourceConfig | None = None

    @model_validator(mode="after")
    def _sql_needs_its_tables(self) -> SourceSettings:
        if self.kind == "sql" and self.sql is None:
            raise ValueError("source.kind = 'sql' needs a [source.sql] table with url and tables")
        return self


class ReviewSettings(BaseModel):
    """The review page (`replenish review-server`) and the signed links e-mails carry.

    `secret` signs every link: whoever holds it can mint a link for any approver, so it
    comes from the environment only (`REPLENISH_REVIEW__SECRET`, refused in the config
    file). In development, without it, a generated secret is kept beside the database so
    the nightly run and the review server agree; production refuses to start without it.
    """

    model_config = ConfigDict(extra="forbid")

    secret: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    # The company's time zone for deadlines and decision times on the page, in e-mails
    # and in the CLI (UTC stays in small print); None = the schedule's time zone.
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Berlin)") from None
        return value


class MonitoringSettings(BaseModel):
    """How the monitoring flow scores forecasts and when a segment has drifted."""

    model_config = ConfigDict(extra="forbid")

    lookback_days: int = Field(default=120, ge=14, description="Forecasts of this many days.")
    horizon: int = Field(default=7, ge=1, description="Periods after each forecast scored.")
    season: int = Field(default=7, ge=1, description="Seasonal-naive lag of the error scale.")
    recent_origins: int = Field(default=7, ge=1, description="Latest nights: 'lately'.")
    baseline_origins: int = Field(default=28, ge=1, description="Nights before: the baseline.")
    rmsse_ratio: float = Field(default=1.5, gt=1.0)
    bias_shift: float = Field(default=0.25, gt=0.0)
    min_series: int = Field(default=3, ge=1)
    decision_days: int = Field(default=28, ge=1, description="Orders of this many days.")


class RunSettings(BaseModel):
    """How the nightly run uses the machine it runs on."""

    model_config = ConfigDict(extra="forbid")

    silent_after_seconds: float = Field(
        default=120.0,
        ge=60.0,
        description="A run silent this long is dead: its lease in `runs` (renewed every "
        "quarter of it) and the window of the crash automation (flows.automations, after "
        "heartbeats every 30 s) run out.",
    )

    memory_budget_mb: int = Field(
        default=1000,
        ge=256,
        description="Resident memory the night aims to stay within, in MB: the forecast "
        "stage sizes its blocks of series to it (services.memory_budget); the run summary "
        "reports it beside the peak it reached.",
    )

    @property
    def lease(self) -> timedelta:
        """`silent_after_seconds` as the lease of a run's row."""
        return timedelta(seconds=self.silent_after_seconds)
