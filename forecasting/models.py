"""The statistical models: which one each series gets, per demand pattern and frequency.

Continuous and sporadic series each have a chain of candidate models per frequency; a
series gets the first whose history it has. Fitting them is `forecasting.statistical`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from statsforecast.models import AutoETS, CrostonSBA, HistoricAverage

from forecasting.classify import ERRATIC, INTERMITTENT, LUMPY, SMOOTH
from forecasting.params import Frequency

CONTINUOUS = (SMOOTH, ERRATIC)
SPORADIC = (INTERMITTENT, LUMPY)


@dataclass(frozen=True)
class Candidate:
    """A statsforecast model a series may be given, and the shortest history it needs.

    `min_input_size` is the history (periods) each backtest fit must see at least, even
    where the choice caps the fits shorter to save time: a yearly season cannot be
    estimated from the one year the cap leaves. 0: the cap applies.

    `members` names the candidates of the same chain a combination combines (`how`:
    "mean" or "median"): the backtest then combines their forecasts instead of fitting
    them again (`forecasting.selection`); empty for a single model.
    """

    name: str
    build: Callable[[], Any]
    min_periods: int
    min_input_size: int = 0
    members: tuple[str, ...] = ()
    how: str = "median"


def candidate_chains(frequency: Frequency) -> dict[str, tuple[Candidate, ...]]:
    """Models per pattern, best first; a series gets the first whose history it has.

    Fixed forms, not automatic searches: a full AutoETS search costs about 12x the
    fixed ANA form and a night must fit the whole catalogue (notes/measured.md). The
    backtest-based choice among several candidates is a later step.
    """
    mean = Candidate("HistoricAverage", HistoricAverage, 1)
    # ETS refuses n <= parameters + 4; ten periods leave room for a level to settle.
    level = Candidate("AutoETS(ANN)", lambda: AutoETS(model="ANN"), 10)
    season = {"D": 7, "M": 12}.get(frequency)
    continuous: tuple[Candidate, ...] = (level, mean)
    if season is not None:  # weekly: 52-week seasons cannot be estimated from 2 years
        seasonal = Candidate(
            f"AutoETS(ANA,{season})",
            lambda: AutoETS(model="ANA", season_length=season),
            2 * season,
        )
        continuous = (seasonal, *continuous)
    sporadic = (Candidate("CrostonSBA", CrostonSBA, 2), mean)
    return {"continuous": continuous, "sporadic": sporadic}
