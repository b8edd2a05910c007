"""The one typed `Settings` object: every section, with the checks that need several."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from approvals.rollout import RolloutPolicy
from dataquality import ValidationRules
from flags import FlagRules
from forecasting import ForecastParams
from integrations.erp.settings import ErpSettings
from purchasing import PolicyParams
from purchasing.currency import Currencies
from settings.config_file import config_file_sources
from settings.placeholders import example_addresses, is_loopback_url
from settings.sections import (
    ApprovalRouting,
    EmailSettings,
    MonitoringSettings,
    ReviewSettings,
    RunSettings,
    SourceSettings,
)
from settings.value import ValueSettings


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
    # Shadow, review-all or live, for the catalogue and per category, supplier or location
    # (docs/operations.md, "Rolling out: shadow, review-all, live").
    rollout: RolloutPolicy = Field(default_factory=RolloutPolicy)
    email: EmailSettings = Field(default_factory=EmailSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    erp: ErpSettings = Field(default_factory=ErpSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    run: RunSettings = Field(default_factory=RunSettings)
    # The value report and learning from buyers (issue 23, settings/value.py).
    value: ValueSettings = Field(default_factory=ValueSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest first: the environment, values passed in, the config file being read
        # (`load_settings`), then the defaults. No .env file: secrets come from the
        # environment or a Prefect block.
        return (
            env_settings,
            init_settings,
            *config_file_sources(settings_cls),
            file_secret_settings,
        )

    @field_validator("source", mode="before")
    @classmethod
    def _source_folder(cls, value: Any) -> Any:
        """`REPLENISH_SOURCE` (or `source = "..."` in the file) may simply name the folder."""
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("{") else {"folder": text}
        return value

    @property
    def company_timezone(self) -> str:
        """The zone people read times in: `review.timezone`, else the schedule's."""
        return self.review.timezone or self.schedule_timezone

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
        erp_url = self.erp.base_url or ""
        if (
            self.erp.adapter == "rest"
            and erp_url.startswith("http:")
            and not is_loopback_url(erp_url)
        ):
            # The bearer token and every order would cross the network in clear text.
            raise ValueError(f"production needs an https:// erp.base_url, not {erp_url}")
        secret = self.review.secret.get_secret_value() if self.review.secret else ""
        if len(secret) < 32:
            raise ValueError(
                "production needs a review link secret of at least 32 characters: set "
                "REPLENISH_REVIEW__SECRET (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return self
