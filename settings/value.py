"""What a buyer's time is worth to the value report, and when buyers' repeated changes
become a parameter proposal (issue 23, docs/value-report.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ValueSettings(BaseModel):
    """The value report's assumptions and the thresholds of learning from buyers.

    `minutes_per_decision` is the same setting the business case reads: one figure for
    what a decision costs a person, before go-live and after it.
    """

    model_config = ConfigDict(extra="forbid")

    minutes_per_decision: float = Field(
        default=2.0,
        gt=0.0,
        description="Minutes a person spends on one decision (an order waiting for review); "
        "checking every line by hand costs the same per line.",
    )
    report_weeks: int = Field(
        default=4,
        ge=1,
        description="Weeks the monitoring flow's artifact and the review server's value "
        "page cover (`replenish report --weeks` chooses its own).",
    )
    report_link_days: int = Field(
        default=14,
        ge=1,
        le=92,
        description="Days a value-report link an administrator mints stays valid.",
    )
    learning_min_changes: int = Field(
        default=3,
        ge=2,
        description="Changes by people on one item-location, supplier or category before "
        "the product proposes a parameter change for it.",
    )
    learning_same_direction_share: float = Field(
        default=0.8,
        gt=0.5,
        le=1.0,
        description="Share of those changes that must go the same way (all up or all down).",
    )
    learning_helped_share: float = Field(
        default=0.6,
        gt=0.5,
        le=1.0,
        description="Share of the scored changes that must have helped (closer to what the "
        "demand that followed asked for) before a proposal is made; changes not scored yet "
        "never support one.",
    )
    learning_service_level_step: float = Field(
        default=0.02,
        gt=0.0,
        lt=0.2,
        description="How far a proposal moves the service level (0.95 -> 0.97 up, 0.93 down).",
    )
