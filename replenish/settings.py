"""One typed settings object: a TOML config file, overridden by `REPLENISH_*` variables.

Precedence, highest first: environment (`REPLENISH_DATABASE_URL`,
`REPLENISH_FLAGS__LINE_VALUE_LIMIT`, ...), then the config file, then the defaults
below, which are the embedded defaults `make demo` runs on. Secrets are refused in the
config file: they come from the environment (or a Prefect block) only, so a committed
config can never leak one.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from approvals.policy import RoutingPolicy
from dataquality import ValidationRules
from forecasting import ForecastParams
from integrations.sources.sql import SqlSourceConfig
from purchasing import FlagRules, PolicyParams
from purchasing.currency import Currencies
from replenish.placeholders import example_addresses, is_loopback_url

SECRET_KEYS = frozenset(
    {"smtp_password", "password", "secret", "secret_key", "api_key", "token"}
)
#: The variable naming the config file when no --config / `config` parameter is given
#: (a worker's environment, `job_variables.env`). No setting is called `config`, so it
#: cannot collide with one.
CONFIG_VARIABLE = "REPLENISH_CONFIG"


class SettingsError(ValueError):
    """The configuration cannot be used; the message names the file and the field."""


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
        description="Under a Prefect server, open a decision form (an order-decision flow "
        "run) per waiting order; off: decisions only on the review page and the CLI.",
    )


class EmailSettings(BaseModel):
    transport: Literal["outbox", "smtp"] = "outbox"
    outbox_dir: Path = Path("outbox")
    sender: str = "replenish@example.com"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    send_retries: int = Field(
        default=2, ge=0, description="Prefect retries of the e-mail stage (route) after a failure."
    )
    retry_delay_seconds: list[float] = Field(
        default_factory=lambda: [30.0, 120.0],
        description="Wait before each retry (the last value repeats).",
    )


class SourceSettings(BaseModel):
    """Where the nightly extract comes from: a CSV folder (default) or a SQL database."""

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

    secret: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)


class TrytonSettings(BaseModel):
    """A Tryton ERP over JSON-RPC (`erp.adapter = "tryton"`).

    The password comes from REPLENISH_ERP__TRYTON__PASSWORD only (refused in the file).
    Our ids map to Tryton codes through the three tables where they differ; anything not
    listed is looked up under its own name (product code = SKU, party code = supplier id,
    warehouse code = location).
    """

    model_config = ConfigDict(extra="forbid")

    url: str = Field(default="http://127.0.0.1:8000", description="Where trytond listens.")
    database: str = "tryton"
    login: str = "replenish"
    password: SecretStr | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)
    approval: Literal["replenish", "erp"] = Field(
        default="replenish",
        description="'replenish': our reviewers decide, Tryton gets confirmed purchases. "
        "'erp': flagged orders go to Tryton as quotations; its approvers confirm or cancel "
        "them there and the next run records that as the decision.",
    )
    products: dict[str, str] = Field(default_factory=dict, description="SKU -> product code.")
    suppliers: dict[str, str] = Field(default_factory=dict, description="supplier -> party code.")
    warehouses: dict[str, str] = Field(default_factory=dict, description="location -> code.")


class ErpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adapter: Literal["file_drop", "tryton"] = "file_drop"
    tryton: TrytonSettings = Field(default_factory=TrytonSettings)
    drop_dir: Path = Path("erp-drop")
    ledger_file: Path | None = Field(
        default=None,
        description=(
            "The file-drop adapter's record of every key written (default: beside the "
            "folder, '<drop_dir>.ledger'); what makes a moved file never sent twice."
        ),
    )

    submit_retries: int = Field(
        default=2, ge=0, description="Prefect retries of the submit stage while orders fail."
    )
    retry_delay_seconds: list[float] = Field(
        default_factory=lambda: [60.0, 300.0],
        description="Wait before each retry (the last value repeats).",
    )
    alert_after_attempts: int = Field(
        default=5,
        ge=1,
        description="An order whose ERP submission failed this many times alerts the operator.",
    )


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="REPLENISH_", env_nested_delimiter="__", extra="forbid"
    )

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///replenish.db"
    review_base_url: str = "http://127.0.0.1:8765"
    schedule_timezone: str = Field(
        default="Europe/Berlin",
        description="The nightly schedule's time zone: a run is dated by its scheduled start "
        "in this zone (replenish.run_date).",
    )
    forecast: ForecastParams = Field(default_factory=ForecastParams)
    policy: PolicyParams = Field(default_factory=PolicyParams)
    flags: FlagRules = Field(default_factory=FlagRules)
    # The base currency of every money setting and the rates to compare other currencies.
    currency: Currencies = Field(default_factory=Currencies)
    validation: ValidationRules = Field(default_factory=ValidationRules)
    # NoDecode: an operator's `REPLENISH_SOURCE=/data/tonight` is a folder, not JSON;
    # `_source_folder` reads it (it crashed every run when pydantic parsed it as JSON).
    source: Annotated[SourceSettings, NoDecode] = Field(default_factory=SourceSettings)
    approvals: ApprovalRouting = Field(default_factory=ApprovalRouting)
    email: EmailSettings = Field(default_factory=EmailSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    erp: ErpSettings = Field(default_factory=ErpSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The config file arrives as init values; the environment must win over it.
        return (env_settings, init_settings, file_secret_settings)

    @field_validator("source", mode="before")
    @classmethod
    def _source_folder(cls, value: Any) -> Any:
        """`REPLENISH_SOURCE` (or `source = "..."` in the file) may simply name the folder."""
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("{") else {"folder": text}
        return value

    @field_validator("schedule_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Berlin)") from None
        return value

    @model_validator(mode="after")
    def _gate_knows_the_frequency(self) -> Settings:
        """The gate compares the demand dates with the forecast's frequency."""
        if "frequency" not in self.validation.model_fields_set:
            self.validation = self.validation.model_copy(
                update={"frequency": self.forecast.frequency}
            )
        return self

    @model_validator(mode="after")
    def _production_is_complete(self) -> Settings:
        """Outside development, refuse settings that would silently lose mail or data."""
        if self.environment != "production":
            return self
        if self.database_url.startswith("sqlite"):
            raise ValueError("production needs a server database: set REPLENISH_DATABASE_URL")
        if self.email.transport == "outbox":
            raise ValueError("production needs real e-mail: set email.transport = 'smtp'")
        placeholders = example_addresses(
            {"email.sender": self.email.sender},
            self.approvals.model_dump(mode="json"),
        )
        if placeholders:
            # Mail to example.com goes nowhere: an alert or a review request would be lost.
            raise ValueError(
                f"production needs real addresses instead of {', '.join(placeholders)}"
            )
        if is_loopback_url(self.review_base_url):
            raise ValueError(
                f"production needs a review_base_url buyers can open, not {self.review_base_url}"
            )
        secret = self.review.secret.get_secret_value() if self.review.secret else ""
        if len(secret) < 32:
            raise ValueError(
                "production needs a review link secret of at least 32 characters: set "
                "REPLENISH_REVIEW__SECRET (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return self


def load_settings(config_file: Path | None = None) -> Settings:
    """Read the config file (if any) and the environment; fail with one clear message."""
    values: dict[str, Any] = {}
    if config_file is None and os.environ.get(CONFIG_VARIABLE):
        config_file = Path(os.environ[CONFIG_VARIABLE])
    if config_file is not None:
        values = _read_toml(config_file)
        leaked = _secret_paths(values) + _urls_with_passwords(values)
        if leaked:
            raise SettingsError(
                f"{config_file}: secrets must come from the environment, not the config file "
                f"(remove {', '.join(leaked)}; set e.g. REPLENISH_EMAIL__SMTP_PASSWORD or "
                "REPLENISH_DATABASE_URL instead)"
            )
    where = str(config_file) if config_file else "settings"
    unknown = _unknown_keys(Settings, values)
    if unknown:
        raise SettingsError(
            f"{where}: unknown setting {unknown[0]} (a typo? see config.example.toml)"
            + (f"; also {', '.join(unknown[1:4])}" if len(unknown) > 1 else "")
        )
    try:
        settings = Settings(**values)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        raise SettingsError(f"{where}: {field}: {first['msg']}") from error
    infinite = _non_finite(settings.model_dump())
    if infinite:
        raise SettingsError(
            f"{where}: {infinite[0]}: must be a finite number (inf and nan are not limits)"
        )
    return settings


def _unknown_keys(model: type[BaseModel], values: dict[str, Any], prefix: str = "") -> list[str]:
    """Keys of the file that no setting has, at any depth: a typo must fail, not be ignored.

    Checked here for every section, including models that other packages own and that do
    not forbid extra keys themselves (routing rules, e-mail, ERP).
    """
    found: list[str] = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        field = model.model_fields.get(key)
        if field is None:
            found.append(path)
            continue
        nested = _model_of(field.annotation)
        if nested is None:
            continue
        if isinstance(value, dict):
            found.extend(_unknown_keys(nested, value, f"{path}."))
        elif isinstance(value, list):
            for position, item in enumerate(value):
                if isinstance(item, dict):
                    found.extend(_unknown_keys(nested, item, f"{path}[{position}]."))
    return found


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds (itself, optional, or a list of them), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is dict:
        return None  # free-form mappings (overrides per supplier) have keys of their own
    for argument in get_args(annotation):
        found = _model_of(argument)
        if found is not None:
            return found
    return None


def _non_finite(values: Any, prefix: str = "") -> list[str]:
    """Paths of float settings that are inf or nan (TOML and the environment accept both)."""
    if isinstance(values, float):
        return [] if math.isfinite(values) else [prefix or "settings"]
    if isinstance(values, dict):
        return [
            p
            for key, value in values.items()
            for p in _non_finite(value, f"{prefix}.{key}" if prefix else str(key))
        ]
    if isinstance(values, list | tuple):
        return [p for i, v in enumerate(values) for p in _non_finite(v, f"{prefix}[{i}]")]
    return []


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise SettingsError(f"{path}: config file not found") from error
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from error


def _secret_paths(values: dict[str, Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            found.extend(_secret_paths(value, f"{path}."))
        elif key in SECRET_KEYS:
            found.append(path)
    return found


def _urls_with_passwords(values: dict[str, Any], prefix: str = "") -> list[str]:
    """Database URLs in the file that carry a password (`user:secret@host`)."""
    found: list[str] = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            found.extend(_urls_with_passwords(value, f"{path}."))
        elif isinstance(value, str) and "://" in value and "@" in value:
            try:
                if make_url(value).password:
                    found.append(f"the password in {path}")
            except ArgumentError:
                continue
    return found
