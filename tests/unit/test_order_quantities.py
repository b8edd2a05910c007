"""Order-quantity arithmetic: properties that must hold for any input, plus hand-checked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from purchasing import applied_constraints, order_quantity, quantity_steps
from purchasing.quantities import SHORTFALL_TOLERANCE

quantities = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)
positions = st.floats(min_value=-1e4, max_value=1e5, allow_nan=False, allow_infinity=False)
packs = st.integers(min_value=1, max_value=500)
moqs = st.floats(min_value=0, max_value=5000, allow_nan=False, allow_infinity=False)
maxima = st.one_of(st.just(math.nan), quantities)


def slack(pack: int) -> float:
    """Pack counts are rounded to 6 decimals to absorb float dust; allow that much."""
    return 1e-6 * pack


def one(target: float, position: float, pack: int, moq: float, max_qty: float) -> float:
    return float(order_quantity([target], [position], [pack], [moq], [max_qty])[0])


@given(quantities, positions, packs, moqs, maxima)
def test_never_negative_and_whole_packs(
    target: float, position: float, pack: int, moq: float, max_qty: float
) -> None:
    qty = one(target, position, pack, moq, max_qty)
    assert qty >= 0
    assert qty % pack == 0


@given(quantities, positions, packs, moqs, maxima)
def test_at_least_the_moq_when_ordering(
    target: float, position: float, pack: int, moq: float, max_qty: float
) -> None:
    assume(target - position > SHORTFALL_TOLERANCE)  # a shortfall: below it nothing is ordered
    qty = one(target, position, pack, moq, max_qty)
    assert qty >= pack
    assert qty >= moq - slack(pack)


@given(quantities, positions, packs, moqs)
def test_the_whole_shortfall_without_a_cap(
    target: float, position: float, pack: int, moq: float
) -> None:
    assume(target - position > SHORTFALL_TOLERANCE)
    assert one(target, position, pack, moq, math.nan) >= target - position - slack(pack)


@given(quantities, positions, packs, moqs, quantities)
def test_at_most_the_max_when_it_allows_an_order(
    target: float, position: float, pack: int, moq: float, max_qty: float
) -> None:
    smallest = max(pack, math.ceil(round(moq / pack, 6)) * pack)
    qty = one(target, position, pack, moq, max_qty)
    if max_qty >= smallest:
        assert qty <= max_qty + slack(pack)
    else:  # a max below one pack / the MOQ cannot be honoured; the minimum is ordered
        assert qty in (0.0, smallest)


@given(quantities, quantities, packs, moqs, maxima)
def test_zero_when_position_covers_target(
    target: float, excess: float, pack: int, moq: float, max_qty: float
) -> None:
    position = target + excess  # drawn covering, so no example is filtered away
    assert one(target, position, pack, moq, max_qty) == 0


@given(quantities, positions, packs, moqs, maxima)
def test_zero_when_the_shortfall_is_float_dust(
    target: float, position: float, pack: int, moq: float, max_qty: float
) -> None:
    assume(target - position <= SHORTFALL_TOLERANCE)
    assert one(target, position, pack, moq, max_qty) == 0


@given(quantities, quantities, positions, packs, moqs, maxima)
def test_never_decreasing_when_target_rises(
    target: float, rise: float, position: float, pack: int, moq: float, max_qty: float
) -> None:
    low = one(target, position, pack, moq, max_qty)
    high = one(target + rise, position, pack, moq, max_qty)
    assert high >= low


NAN = math.nan


@pytest.mark.parametrize(
    ("target", "position", "pack", "moq", "max_qty", "expected", "constraints"),
    [
        (172, 64, 12, 0, NAN, 108, ""),  # 108 is exactly 9 packs
        (172, 60, 12, 0, NAN, 120, "pack_rounding"),  # 112 short -> 10 packs
        (30.2, -5, 1, 0, NAN, 36, "pack_rounding"),  # backorders raise the need
        (45, 0, 10, 100, NAN, 100, "pack_rounding;moq"),
        (45, 0, 10, 95, NAN, 100, "pack_rounding;moq"),  # MOQ 95 -> 10 whole packs
        (504, 0, 12, 0, 100, 96, "max_cap"),  # 42 packs short; cap 100 rounds down to 8 packs
        (5, 0, 12, 0, 5, 12, "pack_rounding;max_below_minimum"),  # cap below one pack
        (50, 0, 10, 100, 60, 100, "moq;max_below_minimum"),  # cap below the MOQ
        (100, 100, 12, 50, NAN, 0, ""),  # covered exactly
        (100, 250, 12, 50, NAN, 0, ""),  # over-covered: never a negative order
        (NAN, 0, 12, 0, NAN, 0, ""),  # no forecast, no order
        (100 + 1e-9, 100, 12, 48, NAN, 0, ""),  # float dust is not demand
    ],
)
def test_hand_checked_quantities(
    target: float,
    position: float,
    pack: int,
    moq: float,
    max_qty: float,
    expected: float,
    constraints: str,
) -> None:
    steps = quantity_steps([target], [position], [pack], [moq], [max_qty])
    assert steps.order_qty[0] == expected
    assert applied_constraints(steps)[0] == constraints


def test_vectorised_over_many_lines() -> None:
    qty = order_quantity(
        np.array([172.0, 45.0, 0.0]), np.array([64.0, 0.0, 10.0]), np.array([12, 10, 1]),
        np.array([0.0, 100.0, 0.0]), np.array([NAN, NAN, NAN]),
    )  # fmt: skip
    np.testing.assert_array_equal(qty, [108.0, 100.0, 0.0])
