"""The ordering policy of one item or category, as the administrator sets it in [policy]."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ItemPolicy(BaseModel):
    """How one item (or every item of a category) is ordered, when not order-up-to.

    - order_up_to: each review, order up to the service-level quantile of demand over
      lead time + review period (the default).
    - reorder_point: when the position is at or below that same quantile, order a fixed
      quantity or the economic order quantity (whole multiples until above it again).
    - min_max: when the position is at or below `min_qty`, order up to `max_qty`; for
      items a business wants to keep that way (display stock, contracts).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["order_up_to", "reorder_point", "min_max"] = "order_up_to"
    order_quantity: Literal["fixed", "eoq"] = Field(
        default="eoq", description="reorder_point: a fixed quantity or the EOQ."
    )
    fixed_quantity: float | None = Field(default=None, gt=0.0)
    ordering_cost: float = Field(
        default=50.0, gt=0.0, description="EOQ: cost of placing one order line, in money."
    )
    holding_rate: float = Field(
        default=0.25,
        gt=0.0,
        description="EOQ: yearly cost of holding stock, as a share of its unit cost.",
    )
    service_measure: Literal["fill_rate", "cycle_service_level"] | None = Field(
        default=None,
        description="What the item's service level promises: the share of demand served "
        "from stock (fill_rate) or the share of replenishment cycles without a stock-out "
        "(cycle_service_level). None = by demand class (PolicyParams.fill_rate_classes).",
    )
    min_qty: float | None = Field(default=None, ge=0.0)
    max_qty: float | None = Field(default=None, gt=0.0)

    @model_validator(mode="after")
    def _complete(self) -> ItemPolicy:
        if self.kind == "min_max" and (
            self.min_qty is None or self.max_qty is None or self.max_qty < self.min_qty
        ):
            raise ValueError("min_max needs min_qty and max_qty, with max_qty >= min_qty")
        if (
            self.kind == "reorder_point"
            and self.order_quantity == "fixed"
            and self.fixed_quantity is None
        ):
            raise ValueError("reorder_point with a fixed quantity needs fixed_quantity")
        return self
