"""Progress of a long forecast, for whoever listens (the flow logs it; tests need not).

A night with 10,000 series spends minutes in a handful of model calls; without a word
from them the operator cannot tell a slow night from a hung one. The core stays pure: it
only calls the listener the caller installed for the duration of one call (a context
variable, so concurrent forecasts in one process never hear each other).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: stage ("backtest" or "forecast"), model name, series in this model call; and once per
#: forecast, before any call, ("catalogue", "item-locations", the series it will forecast).
Listener = Callable[[str, str, int], None]

_listener: ContextVar[Listener | None] = ContextVar("forecast_progress", default=None)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Install `listener` for the forecasts made inside the block."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def model_call(stage: str, model: str, series: int) -> None:
    """Tell the listener (if any) that one model call over `series` series finished."""
    listener = _listener.get()
    if listener is not None:
        listener(stage, model, series)


def catalogue(series: int) -> None:
    """Tell the listener (if any) how many item-locations this forecast covers: the
    "of how many" of its progress (new and dormant items, forecast by rules, included)."""
    listener = _listener.get()
    if listener is not None:
        listener("catalogue", "item-locations", series)
