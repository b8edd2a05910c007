"""Service against inventory: the policy and the baseline replayed over a range of targets.

One point per target: the fill rate and cycle service level achieved and the average
inventory value held. A policy is better when its curve lies above and to the left of the
baseline's: for every baseline point, a policy point serving at least as much of the
demand from no more stock (`dominates`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from purchasing.replay_rules import ReplaySetup, replay_baseline, replay_policy

DEFAULT_TARGETS = (0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99)
POINT_KEYS = ("service_target", "fill_rate", "cycle_service_level", "avg_inventory_value")


def service_curve(
    setup: ReplaySetup, targets: Sequence[float] = DEFAULT_TARGETS
) -> dict[str, list[dict[str, float]]]:
    """{"policy": [...], "baseline": [...]}: one point per target, every series at it.

    The baseline buys service the spreadsheet way, z x sigma x sqrt(lead time) of safety
    stock on its min and max (at 50% it is the plain min/max).
    """
    curve: dict[str, list[dict[str, float]]] = {"policy": [], "baseline": []}
    n = setup.terms.service_level.size
    for target in sorted(targets):
        level = np.full(n, float(target))
        for side, figures in (
            ("policy", replay_policy(setup, level)),
            ("baseline", replay_baseline(setup, level)),
        ):
            curve[side].append(
                {
                    "service_target": float(target),
                    "fill_rate": round(float(figures["fill_rate"]), 4),
                    "cycle_service_level": round(float(figures["cycle_service_level"]), 4),
                    "avg_inventory_value": float(figures["avg_inventory_value"]),
                }
            )
    return curve


def dominates(curve: dict[str, list[dict[str, float]]]) -> bool:
    """For every baseline point, a policy point with at least its fill rate at no more
    average inventory value."""
    policy = curve["policy"]
    return all(
        any(
            p["fill_rate"] >= b["fill_rate"]
            and p["avg_inventory_value"] <= b["avg_inventory_value"]
            for p in policy
        )
        for b in curve["baseline"]
    )


def inventory_at_fill(points: list[dict[str, float]], fill: float) -> float | None:
    """Average inventory value a curve needs for `fill`, linear between its points
    (sorted by fill rate). Below its lowest point the lowest point's inventory (an upper
    bound: less stock serves less); None above its highest (it never served that much)."""
    ordered = sorted(points, key=lambda p: p["fill_rate"])
    if not ordered or fill > ordered[-1]["fill_rate"]:
        return None
    fills = np.array([p["fill_rate"] for p in ordered])
    held = np.array([p["avg_inventory_value"] for p in ordered])
    if fill <= fills[0]:
        return float(held[0])
    return float(np.interp(fill, fills, held))


def savings_at_equal_fill(
    curve: dict[str, list[dict[str, float]]],
) -> list[dict[str, float | None]]:
    """For each baseline point: the policy's inventory at the same fill rate
    (`inventory_at_fill`) and the share of the baseline's inventory it saves (None where
    the policy's curve never reaches that fill rate)."""
    out: list[dict[str, float | None]] = []
    for point in curve["baseline"]:
        policy = inventory_at_fill(curve["policy"], point["fill_rate"])
        held = point["avg_inventory_value"]
        out.append(
            {
                "service_target": point["service_target"],
                "fill_rate": point["fill_rate"],
                "baseline_inventory": held,
                "policy_inventory": policy,
                "saving": inventory_saving_at_equal_fill(curve, point["service_target"]),
            }
        )
    return out  # fmt: skip


def inventory_saving_at_equal_fill(
    curve: dict[str, list[dict[str, float]]], baseline_target: float = 0.95
) -> float | None:
    """The saving at the baseline's point for `baseline_target` (its 95% setting by
    default): what `simulate --json` reports as `curve.inventory_saving_at_equal_fill`."""
    for point in curve["baseline"]:
        if abs(point["service_target"] - baseline_target) < 1e-9:
            policy = inventory_at_fill(curve["policy"], point["fill_rate"])
            held = point["avg_inventory_value"]
            return None if policy is None or held <= 0 else 1.0 - policy / held
    return None
