"""What a shadow night proposed against what the buyers actually ordered: the typed
result of `services.shadow_comparison`, printed by `replenish shadow-report [--json]` and
shown as a section of the value report.

Per item-location one row: the shadow proposal (units, value) beside the buyers' orders
placed after the night (units, value), and which side ordered at all.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.run_summary import Amount, Money

#: both: the product proposed and the buyers ordered; product_only: the product would
#: have ordered, the buyers did not; buyers_only: the buyers ordered, the product would not.
Side = Literal["both", "product_only", "buyers_only"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemComparison(_Part):
    sku: str
    location: str
    supplier_id: str
    side: Side
    proposed_units: Amount
    ordered_units: Amount
    proposed_value: Amount
    ordered_value: Amount
    currency: str
    buyer_orders: list[str] = Field(description="the buyers' order references")


class SideTotals(_Part):
    """Item-locations on one side, with their units and money."""

    items: int
    proposed_units: Amount
    ordered_units: Amount
    proposed_value: Money
    ordered_value: Money


class ShadowComparison(_Part):
    run_id: str = Field(description="the shadow night's run")
    as_of: str = Field(description="the shadow night, YYYY-MM-DD")
    shadow_orders: int
    baseline: str = Field(description="the extract the shadow night read")
    later: list[str] = Field(description="the later extracts the buyers' orders came from")
    buyer_orders: int = Field(description="buyers' order references new since the night")
    matched: SideTotals = Field(description="item-locations both sides ordered")
    product_only: SideTotals = Field(description="the product would have, the buyers did not")
    buyers_only: SideTotals = Field(description="the buyers ordered, the product would not")
    proposed_value: Money = Field(description="every shadow line's value")
    ordered_value: Money = Field(description="every buyers' line's value, at the item's cost")
    items: list[ItemComparison]
    note: str = Field(description="where the buyers' orders were read, and its limits")
