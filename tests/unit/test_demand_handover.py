"""The night hands the validated demand to the forecast (`flows.forecast_stage.Handover`)
so that the forecast holds its only reference: the history is freed once the series
are built, before the model calls, instead of staying resident through the night."""

from __future__ import annotations

import weakref
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cli.sample_data import write_sample_data
from dataquality import validate
from flows.forecast_stage import Handover
from forecasting import engine, forecast_demand
from integrations.sources.csv_folder import read_csv_folder
from settings import Settings

AS_OF = date(2026, 11, 25)


def test_the_history_is_taken_once() -> None:
    demand = pd.DataFrame({"sku": ["A"], "location": ["L"]})
    handed = Handover(demand)
    assert handed.peek() is demand
    assert handed.take() is demand
    with pytest.raises(RuntimeError, match="already taken"):
        handed.take()


def test_a_handed_over_history_is_freed_before_the_models_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_sample_data(tmp_path, items=8, seed=3, as_of=AS_OF)
    settings = Settings()
    checked = validate(read_csv_folder(tmp_path).frames, as_of=AS_OF, rules=settings.validation)
    handed = Handover(checked.tables.pop("demand"))
    alive = weakref.ref(handed.peek())
    seen: list[bool] = []
    censor = engine.censor_stockouts

    def watching(*args: Any, **kwargs: Any) -> Any:  # the step after the series are built
        seen.append(alive() is not None)
        return censor(*args, **kwargs)

    monkeypatch.setattr(engine, "censor_stockouts", watching)
    result = forecast_demand(handed.take(), checked.tables["items"], as_of=AS_OF,
                             params=settings.forecast)  # fmt: skip
    assert seen == [False]  # nobody held the demand any more once the series were built
    assert len(result.summary) == len(checked.tables["items"])
