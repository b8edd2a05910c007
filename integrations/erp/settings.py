"""The ERP section of the settings (`[erp]`, `REPLENISH_ERP__*`): which adapter gets the
orders, how its calls are retried, and when the circuit breaker stops calling an ERP
that is down. It lives beside the adapters (as the SQL source's settings do beside
theirs) so an adapter never imports the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


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

    adapter: Literal["file_drop", "rest", "tryton"] = Field(
        default="file_drop", description="Which ERP gets the orders (integrations.erp.factory)."
    )
    tryton: TrytonSettings = Field(default_factory=TrytonSettings)
    drop_dir: Path = Path("erp-drop")
    file_format: Literal["json", "csv"] = Field(
        default="json", description="File drop: one JSON file per order, or one CSV file."
    )
    ledger_file: Path | None = Field(
        default=None,
        description=(
            "The file-drop adapter's record of every key written (default: beside the "
            "folder, '<drop_dir>.ledger'); what makes a moved file never sent twice."
        ),
    )

    # The REST adapter (integrations.erp.rest). The bearer token is a secret: only from
    # REPLENISH_ERP__TOKEN (the config file refuses `token`, like every secret).
    base_url: str | None = Field(default=None, description="e.g. https://erp.example.com/api")
    orders_path: str = Field(default="/purchase-orders", description="POST and GET ?reference=")
    token: SecretStr | None = None
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    read_timeout_seconds: float = Field(default=30.0, gt=0)
    # Every adapter: retries of one ERP call with backoff and jitter, and the circuit
    # breaker that stops calling an ERP that is down (services.erp_calls).
    call_attempts: int = Field(default=3, ge=1, description="Tries per ERP call (transient).")
    backoff_seconds: float = Field(default=1.0, ge=0, description="First wait; doubles, jittered.")
    backoff_max_seconds: float = Field(default=30.0, ge=0)
    breaker_failures: int = Field(
        default=5,
        ge=1,
        description="ERP calls failing in a row (each retry counts) that "
        "open the circuit: the run stops calling the ERP, the next run picks the orders up.",
    )
    breaker_reset_seconds: float = Field(
        default=60.0, ge=0, description="Open circuit: wait before one trial call."
    )
    reconcile_days: int = Field(
        default=30, ge=1, description="The nightly reconciliation covers orders of these days."
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

    def describe(self) -> str:
        """The ERP actually configured, as the run summary names it."""
        match self.adapter:
            case "file_drop":
                return f"file drop in {self.drop_dir} ({self.file_format})"
            case "rest":
                return f"REST API at {self.base_url}{self.orders_path}"
        tryton = self.tryton
        text = f"Tryton at {tryton.url}, database {tryton.database}, user {tryton.login}"
        if tryton.approval == "erp":
            text += "; flagged orders wait there for its approvers as purchase quotations"
        return text

    @model_validator(mode="after")
    def _rest_needs_an_address(self) -> ErpSettings:
        if self.adapter == "rest" and not self.base_url:
            raise ValueError("erp.adapter = 'rest' needs erp.base_url (REPLENISH_ERP__BASE_URL)")
        return self
