"""How often a perfectly calibrated forecaster keeps one window's coverage within a
tolerance of nominal, for a class of n series: the yardstick beside every coverage
figure of one window (issue 22, point 5).

A forecaster that knows each series' true distribution still sees each total land at a
uniform random rank of it. Over n independent series, the counts at or below the nested
levels (0.8 / 0.9 / 0.95) are a multinomial draw, so the coverage of one window scatters
around nominal by about sqrt(l (1 - l) / n): 5.5 points at 0.8 for 53 series. A 4-point
tolerance on all three levels is then met by chance, not by skill, and the chance is
what this module computes, exactly (no simulation). Real series of one window share the
same weeks, so real windows scatter more than this, never less.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats


def chance_within(n: int, levels: Sequence[float], tolerance: float) -> float:
    """Probability that, for n independent series whose totals fall at uniform ranks of
    their forecast distributions, the share at or below every one of `levels` (ascending)
    is within `tolerance` of that level at once."""
    if n <= 0:
        return 0.0
    ordered = np.asarray(levels, dtype=np.float64)
    if np.any(np.diff(ordered) <= 0) or ordered[0] <= 0 or ordered[-1] >= 1:
        raise ValueError(f"levels must be ascending and inside (0, 1): {list(levels)}")
    counts = np.arange(n + 1)
    # prob[k]: the chance that k series are at or below the previous level and every
    # level so far was within tolerance; it starts with nobody below "level 0".
    prob = np.zeros(n + 1)
    prob[0] = 1.0
    previous = 0.0
    for level in ordered:
        allowed = np.abs(counts / n - level) <= tolerance + 1e-9
        # Of the n - k series above the previous level, each falls below this one with
        # probability (level - previous) / (1 - previous).
        step = (level - previous) / (1.0 - previous)
        gained = counts[None, :] - counts[:, None]  # row: count before, column: after
        moves = stats.binom.pmf(gained, (n - counts)[:, None], step)
        prob = (prob @ moves) * allowed
        previous = level
    return float(prob.sum())
