"""Order-quantity arithmetic: from a shortfall to a quantity the supplier will accept.

Pure numpy over whole arrays, one element per order line. The steps are kept apart
(`QuantitySteps`) so the explanation a buyer reads and the constraint list are derived
from the very numbers that produced the quantity, not recomputed.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

# A shortfall this small is float noise from subtracting forecasts, not demand: ordering
# on it would trigger a whole pack (or the MOQ) for nothing.
SHORTFALL_TOLERANCE = 1e-6
# Pack counts are rounded to this many decimals before ceil/floor so that 108 / 12 computed
# as 9.0000000001 stays 9 packs instead of becoming 10.
_PACK_DECIMALS = 6

PACK_ROUNDING = "pack_rounding"
MOQ = "moq"
MAX_CAP = "max_cap"
MAX_BELOW_MINIMUM = "max_below_minimum"
_CONSTRAINT_NAMES = (PACK_ROUNDING, MOQ, MAX_CAP, MAX_BELOW_MINIMUM)
# All 8 combinations, indexed by bit pattern, so labelling is one array lookup.
_CONSTRAINT_LABELS = np.array(
    [
        ";".join(name for bit, name in enumerate(_CONSTRAINT_NAMES) if code >> bit & 1)
        for code in range(2 ** len(_CONSTRAINT_NAMES))
    ],
    dtype=object,
)


class QuantitySteps(NamedTuple):
    """Each intermediate quantity, one array element per line."""

    raw: FloatArray  # shortfall: max(target - position, 0); 0 when within tolerance
    packed: FloatArray  # raw rounded UP to whole packs
    after_moq: FloatArray  # packed raised to the MOQ (itself rounded up to whole packs)
    order_qty: FloatArray  # after_moq capped at max_qty rounded DOWN to whole packs
    pack_size: FloatArray
    max_qty: FloatArray  # as given; NaN = no cap


def _as_float(values: ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _whole_packs(quantity: FloatArray, pack_size: FloatArray, *, up: bool) -> FloatArray:
    packs = np.round(quantity / pack_size, _PACK_DECIMALS)
    return (np.ceil(packs) if up else np.floor(packs)) * pack_size


def quantity_steps(
    target: ArrayLike,
    position: ArrayLike,
    pack_size: ArrayLike,
    moq: ArrayLike,
    max_qty: ArrayLike,
) -> QuantitySteps:
    """Run the rounding chain and keep every step, for explanations and constraint labels.

    A NaN target (no forecast) orders nothing: buying without a demand estimate is a
    decision for a person, not for the nightly run.
    """
    target_a, position_a = _as_float(target), _as_float(position)
    pack = np.maximum(_as_float(pack_size), 1.0)  # a pack below 1 unit is a data error
    moq_a, cap_a = np.nan_to_num(_as_float(moq), nan=0.0), _as_float(max_qty)

    shortfall = np.nan_to_num(target_a - position_a, nan=0.0)
    short = shortfall > SHORTFALL_TOLERANCE
    raw = np.where(short, shortfall, 0.0)
    # Round UP: rounding down would knowingly leave the target uncovered.
    packed = np.where(short, np.maximum(_whole_packs(raw, pack, up=True), pack), 0.0)
    # The MOQ is itself rounded up to whole packs, else honouring it breaks the pack rule.
    smallest = np.maximum(pack, _whole_packs(moq_a, pack, up=True))
    after_moq = np.where(short, np.maximum(packed, smallest), 0.0)
    # The cap is rounded DOWN so it never yields a part pack; NaN means no cap. A cap below
    # the smallest order the supplier accepts (one pack, the MOQ) cannot be honoured: the
    # supplier would refuse the order and the shelf would stay empty for a whole cycle, so
    # that minimum is ordered and the conflict labelled (`max_below_minimum`) for a buyer.
    cap = np.where(
        np.isnan(cap_a), np.inf, np.maximum(_whole_packs(cap_a, pack, up=False), smallest)
    )
    order_qty = np.minimum(after_moq, cap)
    return QuantitySteps(raw, packed, after_moq, order_qty, pack, cap_a)


def order_quantity(
    target: ArrayLike,
    position: ArrayLike,
    pack_size: ArrayLike,
    moq: ArrayLike,
    max_qty: ArrayLike,
) -> FloatArray:
    """Quantity to order per line: never negative, whole packs, MOQ and cap respected."""
    return quantity_steps(target, position, pack_size, moq, max_qty).order_qty


def applied_constraints(steps: QuantitySteps) -> NDArray[np.object_]:
    """Which terms changed each quantity, e.g. "pack_rounding;moq" ("" = none).

    `max_below_minimum` marks a max_order_qty below one pack or the MOQ, which was
    therefore not applied (see `quantity_steps`).

    Buyers and the flag rules need to tell "the forecast asked for this" from "the
    supplier's terms forced this"; only the latter can be negotiated.
    """
    rounded = steps.packed - steps.raw > SHORTFALL_TOLERANCE
    raised = steps.after_moq > steps.packed
    capped = steps.order_qty < steps.after_moq
    overridden = (steps.raw > 0) & (steps.order_qty > steps.max_qty)  # False when max is NaN
    code = (
        rounded.astype(np.int64)
        | raised.astype(np.int64) << 1
        | capped.astype(np.int64) << 2
        | overridden.astype(np.int64) << 3
    )
    return _CONSTRAINT_LABELS[code]
