"""The `replenish run --json` contract as pydantic models; `docs/run-summary.schema.json`
is their JSON schema (`python -m cli.generated_docs` writes it).

Scripts and schedulers read this object, so a key or a type changes here first, on
purpose, with the published schema. `build_summary` returns these models (validated
where the summary is made); the entry points write them out with `summary_json`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, TypeAdapter, WithJsonSchema

# An amount is a `Decimal`, the one money type (`domain.money`), once it leaves the core;
# the JSON keeps writing it as the number it always was (a float read back as itself).
Amount = Annotated[
    Decimal, PlainSerializer(float, return_type=float), WithJsonSchema({"type": "number"})
]
# Amounts per currency code: adding unlike money would make a total nobody can act on.
Money = dict[str, Amount]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileRows(_Part):
    """One input file (or table): what the data-quality gate did with its rows."""

    kind: str = Field(description="items, suppliers, demand, stock or open_orders")
    read: int
    accepted: int
    repaired: int
    quarantined: int
    top_reasons: str = Field(description="the commonest quarantine reasons, with counts")
    encoding: str | None = Field(description="None for a database: not applicable")
    delimiter: str | None = Field(description="None for a database: not applicable")
    unknown_columns: list[str]
    renamed_columns: dict[str, str]


class Series(_Part):
    forecast: int = Field(description="item-locations forecast")
    by_class: dict[str, int] = Field(description="item-locations per demand class")


class ModeOrders(_Part):
    """The orders made in one rollout mode (`rollout.mode`: shadow, review-all, live)."""

    orders: int
    lines: int
    value: Money


class Orders(_Part):
    purchase_orders: int
    lines: int
    auto_approved: int
    pending_review: int
    value_total: Money
    created: int
    already_proposed: int = Field(description="proposed by an earlier run for this date")
    auto_approval_rate: float | None = Field(description="share of orders; None: no orders")
    auto_approved_lines: int
    auto_approved_value: Money
    auto_approved_value_share: float | None = Field(description="share of the value")
    sent_with_warning: int = Field(description="auto-approved, with a flag that only informs")
    held_lines: dict[str, int] = Field(description="lines held for a later day, per reason")
    decided_since: dict[str, str] = Field(
        default_factory=dict,
        description="po_key -> the decision on an order of this night a person decided "
        "since an earlier run stored it: who, when, through which channel, quantities, comment",
    )
    # Defaults: summaries stored before rollout modes existed were all made live.
    shadow: int = Field(
        default=0, description="orders made in shadow mode: recorded, sent to no ERP, no e-mail"
    )
    by_mode: dict[str, ModeOrders] = Field(
        default_factory=dict,
        description="per rollout mode the orders were made in (shadow, review-all, live)",
    )


class PassedOn(_Part):
    """Flags over an approver's review capacity: sent to the ERP with their flags."""

    lines: int
    orders: int | None = Field(default=None, description="absent when nothing was flagged")
    flags: int
    money_at_stake: Money


class Hold(_Part):
    po_key: str
    sku: str | None = Field(description="None for an order-level flag")
    location: str | None
    code: str
    money_at_stake: Amount
    currency: str
    message: str
    rollout_mode: str = Field(default="live", description="review-all or live")


class Review(_Part):
    capacity_per_approver: int
    held_decisions: dict[str, int] = Field(description="per approver, largest first")
    held_lines: int
    held_money_at_stake: Money
    passed_on: PassedOn
    top_holds: list[Hold] = Field(description="the ten largest holds by money at stake")


class Outputs(_Part):
    database: str = Field(description="the database URL, without a password")
    erp: str = Field(description="the ERP configured (erp.adapter) and where orders go")
    erp_drop: str = Field(description="erp.drop_dir (used by the file drop only)")
    outbox: str


class MailWaiting(_Part):
    """E-mails the mail server has not taken yet: kept queued and retried by every run that
    sends mail; an operator alert among them is named, so it is seen, not only logged."""

    messages: int = Field(description="every e-mail still queued (review requests too)")
    operator_alerts: list[str] = Field(description="subjects of the operator alerts among them")
    last_error: str | None = Field(description="what the mail server last answered")


class Memory(_Part):
    """The night's resident memory beside the budget it was sized to (`run.memory_budget_mb`)."""

    peak_rss_mb: float | None = Field(
        description="the process's resident high-water mark during the run; None: not known"
    )
    budget_mb: int = Field(description="run.memory_budget_mb: what the forecast blocks aim at")


class ModeChangeNote(_Part):
    scope: str = Field(description="catalogue, category:<name>, supplier:<id>, location:<loc>")
    old: str | None = Field(description="the last run's mode; None: not set then")
    new: str | None = Field(description="this run's mode; None: no longer set")


class Rollout(_Part):
    """The rollout modes the run was made with, and what changed since the last run
    (each change is in the audit log, entity `rollout`)."""

    modes: dict[str, str] = Field(description="scope: mode; `catalogue` is the default")
    changes: list[ModeChangeNote]


class RunSummary(_Part):
    """A run that started: succeeded, partial, stopped (input refused) or failed."""

    run_id: str
    as_of: str = Field(description="YYYY-MM-DD")
    status: Literal["succeeded", "partial", "stopped", "failed"]
    message: str
    quality_breaches: list[str]
    rows: dict[str, FileRows] = Field(description="per input file or table")
    series: Series
    orders: Orders
    flags: dict[str, int] = Field(description="flags per reason code")
    flags_informing: dict[str, int] = Field(description="of those, flags that only informed")
    review: Review
    submitted: int
    already_in_erp: int
    submission_failures: dict[str, str] = Field(description="po_key: the ERP's error")
    emails: int
    problems: list[str]
    mail_waiting: MailWaiting
    stage_seconds: dict[str, float]
    memory: Memory | None = Field(default=None, description="absent in runs before issue 27")
    outputs: Outputs
    rollout: Rollout = Field(
        default_factory=lambda: Rollout(modes={"catalogue": "live"}, changes=[]),
        description="rollout modes (absent in summaries stored before they existed: live)",
    )


class StoodAsideSummary(_Part):
    """A run that did not start: another run held the lock. Nothing was done."""

    run_id: str = Field(description="its row in `runs`; empty if the database refused it")
    as_of: str
    status: Literal["stood_aside"]
    message: str


Summary = RunSummary | StoodAsideSummary
SUMMARY: TypeAdapter[Summary] = TypeAdapter(Summary)


def summary_json(summary: Summary) -> dict[str, Any]:
    """The object `replenish run --json` prints and the database keeps. Only the keys
    the run gave: an empty review's `passed_on` has no `orders`, not `orders: null`."""
    return summary.model_dump(exclude_unset=True)


def summary_from_json(data: Mapping[str, Any]) -> Summary:
    """A summary as printed or stored (`summary_json`), as its model again."""
    return SUMMARY.validate_python(data)


def json_schema() -> dict[str, object]:
    """The published contract of `replenish run --json`."""
    schema = SUMMARY.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "replenish run --json",
        "description": "The summary of one nightly run (README, 'replenish run --json').",
        **schema,
    }
