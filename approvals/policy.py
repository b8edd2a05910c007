"""The approval policy as configured: who reviews what, how many, by when, and then what.

Plain pydantic models (no I/O) so routing and deadline rules stay pure and testable; the
settings' `[approvals]` section is this policy plus the operator's address.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

STANDARD_TIER = "standard"


def person_key(address: str) -> str:
    """An e-mail address as compared everywhere: mail systems treat case as noise, so
    `Ann@Corp.test` and `ann@corp.test` are one person (one approval, one routing)."""
    return address.strip().casefold()


def same_person_in(person: str, people: list[str] | tuple[str, ...]) -> bool:
    key = person_key(person)
    return any(person_key(other) == key for other in people)


class RoutingRule(BaseModel):
    """Send matching orders to `approver`. Every field given must match; unset fields match
    anything. The most specific matching rule wins (most fields given), then file order."""

    # A misspelt criterion (`suplier`) must fail, not leave a rule that matches everything.
    model_config = ConfigDict(extra="forbid")

    approver: str
    supplier: str | None = None
    category: str | None = Field(default=None, description="The order's main category.")
    location: str | None = None
    tier: str | None = Field(default=None, description="A value tier's name.")
    up_to: float | None = Field(
        default=None,
        ge=0,
        description="The approver's authority for this rule, in the base currency: an "
        "order worth more (the whole supplier order, never a part split off) goes to the "
        "next matching rule, so a limit decides who approves, not whether an order waits.",
    )

    @property
    def specificity(self) -> int:
        return sum(v is not None for v in (self.supplier, self.category, self.location, self.tier))


class ValueTier(BaseModel):
    """Orders worth more than `above` belong to this tier (the highest one that applies)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    above: float = Field(ge=0)
    hours: int = Field(gt=0, description="Time the approver has to decide.")
    approvals: int = Field(default=1, ge=1, le=2, description="Distinct people who must approve.")
    second_approver: str | None = Field(
        default=None,
        description="Who gives the second approval; the approver's deputy when this is "
        "unset or is the approver.",
    )


class RoutingPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_approver: str = "buyer@example.com"
    by_supplier: dict[str, str] = Field(default_factory=dict)
    by_category: dict[str, str] = Field(default_factory=dict)
    rules: list[RoutingRule] = Field(default_factory=list)
    review_hours: int = Field(
        default=24, gt=0, description="Time an approver has to decide (orders below every tier)."
    )
    tiers: list[ValueTier] = Field(default_factory=list)
    deputies: dict[str, str] = Field(
        default_factory=dict, description="approver -> deputy, who gets escalated orders."
    )
    escalation_grace_hours: int = Field(
        default=24,
        gt=0,
        description="After the deadline: a reminder, this long later escalation to the "
        "deputy, this long again later the on_deadline outcome.",
    )
    # Never "approve": an order nobody looked at must not reach a supplier by default.
    on_deadline: Literal["hold", "expire"] = "hold"
    administrators: list[str] = Field(
        default_factory=list,
        description="People who may decide an order in place of its routed approvers "
        "(explicitly, and audited as such), and roll a night back (`replenish rollback`). "
        "E-mail addresses, compared case-insensitively.",
    )

    @model_validator(mode="after")
    def _tiers_are_distinct(self) -> RoutingPolicy:
        names = [tier.name for tier in self.tiers]
        if len(set(names)) != len(names) or STANDARD_TIER in names:
            raise ValueError(f"tier names must be unique and not {STANDARD_TIER!r}: {names}")
        limits = [tier.above for tier in self.tiers]
        if len(set(limits)) != len(limits):
            raise ValueError(f"two tiers start at the same value: {sorted(limits)}")
        known = {*names, STANDARD_TIER}
        unknown = sorted({r.tier for r in self.rules if r.tier is not None} - known)
        if unknown:
            raise ValueError(f"routing rules name unknown tiers: {', '.join(unknown)}")
        return self

    def is_administrator(self, person: str) -> bool:
        return same_person_in(person, self.administrators)

    def ordered_tiers(self) -> list[ValueTier]:
        """Every tier from the lowest, starting with the implicit standard one."""
        standard = ValueTier(name=STANDARD_TIER, above=0, hours=self.review_hours)
        return [standard, *sorted(self.tiers, key=lambda tier: tier.above)]
