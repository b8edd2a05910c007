"""The models a backtest chooses among, per demand pattern and frequency, simplest first.

Simplest first because a tie goes to the simpler model: it has fewer ways to be wrong
on data the backtest did not see. Only fixed, cheap forms are candidates (fixed ETS
forms, not the full automatic search; notes/measured.md): the choice backtests every
candidate on every series, so each one's cost is paid several times a night.
"""

from __future__ import annotations

from statsforecast.models import (
    ADIDA,
    IMAPA,
    TSB,
    AutoETS,
    CrostonSBA,
    SeasonalNaive,
)

from forecasting.models import Candidate
from forecasting.params import Frequency

# The season of each frequency: a week of days, a year of weeks, a year of months.
SEASON: dict[Frequency, int] = {"D": 7, "W": 52, "M": 12}


def selection_candidates(frequency: Frequency) -> dict[str, tuple[Candidate, ...]]:
    """`continuous` (smooth, erratic) and `sporadic` (intermittent, lumpy) candidates.

    Continuous: seasonal naive, a level (ETS ANN) and, where a season can be
    estimated (daily, monthly; weekly would need years of 52-week cycles), a level
    with an additive season (ETS ANA). Sporadic: Croston-SBA, TSB (which lets the
    demand probability decay, so an item that stops selling is forecast down), and the
    temporal aggregation methods ADIDA and IMAPA. The historic mean is the fallback,
    not a candidate: on the sample data short backtest windows often tied it with the
    others, it then won as the simplest, and it under-forecast growing items (the
    backtest's RMSSE and coverage got worse with it in the set).
    """
    season = SEASON[frequency]
    continuous: tuple[Candidate, ...] = (
        Candidate(f"SeasonalNaive({season})", lambda: SeasonalNaive(season_length=season), season),
        # ETS refuses n <= parameters + 4; ten periods leave room for a level to settle.
        Candidate("AutoETS(ANN)", lambda: AutoETS(model="ANN"), 10),
    )
    if frequency != "W":
        continuous = (
            *continuous,
            Candidate(
                f"AutoETS(ANA,{season})",
                lambda: AutoETS(model="ANA", season_length=season),
                2 * season,
            ),
        )
    sporadic = (
        Candidate("CrostonSBA", CrostonSBA, 2),
        Candidate("TSB(0.1,0.1)", lambda: TSB(alpha_d=0.1, alpha_p=0.1), 2),
        Candidate("ADIDA", ADIDA, 2),
        Candidate("IMAPA", IMAPA, 2),
    )
    return {"continuous": continuous, "sporadic": sporadic}
