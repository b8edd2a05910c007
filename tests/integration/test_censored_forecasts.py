"""The count of out-of-stock periods re-estimated before fitting is kept with the
forecast in the database, so the review page and `replenish explain` can say it long after
the night (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from stockout_data import AS_OF, ITEMS, PARAMS, steady_with_stockouts

from forecasting import forecast_demand
from services.runs import record_forecasts
from storage.database import session_factory
from storage.models import Forecast
from storage.unit_of_work import UnitOfWork


def test_the_corrected_periods_are_stored_with_the_forecast(engine: Engine) -> None:
    demand, history = steady_with_stockouts()
    censored = forecast_demand(demand, ITEMS, as_of=AS_OF, params=PARAMS, stock_history=history)
    plain = forecast_demand(demand, ITEMS, as_of=AS_OF, params=PARAMS)
    sessions = session_factory(engine)
    stored = []
    for result in (censored, plain):
        run_id = uuid.uuid4().hex
        with UnitOfWork(sessions) as uow:
            uow.runs.start(run_id, AS_OF, "censoring", datetime.now(UTC), None)
            uow.commit()
        record_forecasts(lambda: UnitOfWork(sessions), run_id, result)
        with UnitOfWork(sessions) as uow:
            query = select(Forecast).where(Forecast.run_id == run_id)
            stored.append(uow.session.scalars(query).one())
    assert (stored[0].sku, stored[0].censored_periods) == ("A", 45)
    assert stored[1].censored_periods == 0
    # The re-estimated days raised the forecast the stored row carries.
    assert stored[0].demand_mean > stored[1].demand_mean
