"""A package's heavy names, loaded the first time they are asked for (PEP 562).

The settings import the core packages for their parameter models; a command that only
reads the database must not pay for the engines behind them (statsforecast, scipy), so
`forecasting`, `purchasing` and `flags` name those here instead of importing them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """The module-level `__getattr__` of `package`: a name of `homes` is read from the
    module it maps to when first asked for; any other name is an AttributeError."""

    def attribute(name: str) -> Any:
        if name in homes:
            return getattr(importlib.import_module(homes[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return attribute
