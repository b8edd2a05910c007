"""Frames as rows a Prefect table artifact (or any JSON) can hold."""

from __future__ import annotations

from typing import Any

import pandas as pd

from storage import records


def json_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per row, every value JSON-safe: NaN and NaT become None, numpy scalars
    plain Python (`storage.records.clean`), as the runs' stored JSON has them."""
    return [{k: records.clean(v) for k, v in row.items()} for row in frame.to_dict("records")]
