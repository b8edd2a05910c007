"""The configured per-item policies (`PolicyParams.item_policies`/`category_policies`) in
the replay, so `simulate` measures what the nightly run would actually do.

The replay works with reorder / order-up-to levels. Order-up-to and min/max are exactly
that; a reorder point with a batch Q is replayed as reorder at s, order up to s + Q (one
batch lifts the position just above s, which is what the nightly run orders when the
position sits at s; after a large drop the run orders whole batches, the replay a little
less): a close, documented approximation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from purchasing.params import PolicyParams
from purchasing.policies import economic_order_quantity, policy_table
from purchasing.replay_levels import Levels


@dataclass(frozen=True)
class PolicyArrays:
    """The policy fields of each replayed series (row i = series i)."""

    kind: np.ndarray
    fixed: np.ndarray  # bool: fixed batch, else EOQ
    fixed_quantity: np.ndarray
    ordering_cost: np.ndarray
    holding_rate: np.ndarray
    min_qty: np.ndarray
    max_qty: np.ndarray
    measure: np.ndarray | None = None  # service measure named by the policy (None = by class)


def policy_arrays(series: pd.DataFrame, params: PolicyParams) -> PolicyArrays:
    """Resolve the policy of each row of `series` (sku, category) as the run does."""
    table = policy_table(series, params)
    return PolicyArrays(
        kind=table["kind"].to_numpy(dtype=object),
        fixed=(table["order_quantity"] == "fixed").to_numpy(),
        **{
            name: table[name].to_numpy(dtype=float)
            for name in ("fixed_quantity", "ordering_cost", "holding_rate", "min_qty", "max_qty")
        },
        measure=table["service_measure"].to_numpy(dtype=object),
    )


def apply_policies(
    levels: Levels,
    rows: np.ndarray,
    per_period_mean: np.ndarray,
    policies: PolicyArrays,
    *,
    unit_cost: np.ndarray,
    periods_per_year: float,
) -> Levels:
    """Turn the service-level quantile levels of `rows` into each one's policy levels."""
    kind = policies.kind[rows]
    eoq = economic_order_quantity(
        per_period_mean * periods_per_year, policies.ordering_cost[rows],
        policies.holding_rate[rows], unit_cost[rows],
    )  # fmt: skip
    batch = np.where(policies.fixed[rows], policies.fixed_quantity[rows], eoq)
    reorder_point, min_max = kind == "reorder_point", kind == "min_max"
    return Levels(
        reorder=np.where(min_max, policies.min_qty[rows], levels.reorder),
        up_to=np.select(
            [reorder_point, min_max], [levels.reorder + batch, policies.max_qty[rows]],
            levels.up_to,
        ),
    )  # fmt: skip
