"""Settings of the data-quality gate, set by the administrator in the config file."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ValidationRules(BaseModel):
    """How strict the gate is, and how locale-dependent cells are read.

    Policy defaults (service level, review period) are deliberately not here: a missing
    value stays NaN in the validated items and purchasing fills it from its own policy,
    so a change of policy never needs the data re-validated.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    decimal_comma: bool = Field(
        default=False,
        description=(
            "Numbers use a decimal comma (1.234,5). Off: '1,234' is a thousands separator "
            "and '1,5' is not a number, because guessing would silently scale quantities."
        ),
    )
    max_quantity: float = Field(
        default=1_000_000.0,
        gt=0,
        description="Larger demand, stock or open-order quantities are quarantined as absurd.",
    )
    max_quarantine_share: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="A file with a larger quarantined share stops the run before ordering.",
    )
