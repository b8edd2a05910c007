"""Which model the backtest scores on each series: the one the nightly run would give it,
decided only from the history before the held-out windows.

With `choose_by_backtest` that is the backtest choice itself, run on the training part
(a backtest inside the backtest), so the report scores the whole procedure, choice
included, on data the choice never saw. Series the choice leaves alone keep the chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from forecasting.candidates import SEASON, candidate_set, selection_candidates
from forecasting.models import CONTINUOUS, SPORADIC, candidate_chains
from forecasting.params import ForecastParams
from forecasting.prepare import PreparedDemand
from forecasting.selection import Selection, choose_models

ModelGroup = tuple[str, Callable[[], Any], np.ndarray]


def assign_models(
    scored: pd.DataFrame, prepared: PreparedDemand, params: ForecastParams, held_out: int
) -> tuple[list[ModelGroup], Selection | None]:
    """(model name, builder, mask over `scored`) per model, every row in one group; and
    the inner backtest's selection (rows of `scored`), None when the choice is off.

    `scored` has unique_id, demand_class and history_periods as of the training part.
    """
    selection = None
    groups: list[ModelGroup] = []
    chosen = np.zeros(len(scored), dtype=bool)
    if params.choose_by_backtest:
        codes = pd.Index(prepared.ids["unique_id"].astype(str)).get_indexer(scored["unique_id"])
        first_test = (prepared.last_period - held_out + 1).to_timestamp(how="start")
        training = PreparedDemand(
            series=prepared.series.loc[prepared.series["ds"] < first_test],
            ids=prepared.ids,
            last_period=prepared.last_period - held_out,
        )
        table = scored.assign(series_code=codes)
        history = float(scored["history_periods"].median())
        which = candidate_set(params.frequency, len(scored), params, history)
        candidates = selection_candidates(params.frequency, which)
        selection = choose_models(table, training, candidates, params, SEASON[params.frequency])
        chosen = selection.chosen
        for candidate, rows in selection.groups:
            mask = np.zeros(len(scored), dtype=bool)
            mask[rows] = True
            groups.append((candidate.name, candidate.build, mask))
    return groups + _chain_groups(scored, params, ~chosen), selection


def _chain_groups(
    scored: pd.DataFrame, params: ForecastParams, left: np.ndarray
) -> list[ModelGroup]:
    """The first model of each row's chain that its history allows (rows in `left`)."""
    chains = candidate_chains(params.frequency)
    history = scored["history_periods"].to_numpy()
    groups: list[ModelGroup] = []
    for chain_name, classes in (("continuous", CONTINUOUS), ("sporadic", SPORADIC)):
        chain = chains[chain_name]
        in_chain = scored["demand_class"].isin(classes).to_numpy() & left
        choice = np.full(len(scored), -1)
        for position in reversed(range(len(chain))):  # earlier candidates win
            choice[in_chain & (history >= chain[position].min_periods)] = position
        for position, candidate in enumerate(chain):
            ids = choice == position
            if ids.any():
                groups.append((candidate.name, candidate.build, ids))
    return groups
