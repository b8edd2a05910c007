"""The frames between the stages (docs/frames.md) as small schemas that can be checked.

A check reports every broken promise at once, each with the column, the rule and the
first offending row labels (as pandera's lazy validation does), so a stage that starts
handing on a renamed column or a negative quantity is caught where the frame is built,
not three stages later. Each stage checks the frames it returns, on every run:
`dataquality.validate` (validated tables, counts), `forecasting.forecast_demand`
(summary, path), `purchasing.plan_lines` (lines), `purchasing.group_orders` (orders)
and `flags.flag_orders` (flags); the table in docs/frames.md says which schema is
whose. A failure is a programming error in that stage (bad input is quarantined before
any frame is built), hence an exception rather than a quarantine. Checking is
vectorised and cheap: column presence, dtype kind, a few comparisons over whole columns
and key uniqueness, well under 1% of a night (`python -m benchmarks frames`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types

Kind = str  # "text", "float", "number", "int", "bool", "date", "any"
_KINDS: dict[Kind, Callable[[pd.Series], bool]] = {
    "text": lambda s: types.is_object_dtype(s) or types.is_string_dtype(s),
    "float": types.is_float_dtype,
    "number": lambda s: types.is_numeric_dtype(s) and not types.is_bool_dtype(s),
    "int": types.is_integer_dtype,
    "bool": types.is_bool_dtype,
    "date": types.is_datetime64_any_dtype,
    "any": lambda s: True,
}
SHOWN_ROWS = 5


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "any"
    nullable: bool = True
    # (what it promises, a vectorised test giving True for the rows that keep it)
    checks: tuple[tuple[str, Callable[[pd.Series], pd.Series]], ...] = ()


@dataclass(frozen=True)
class Failure:
    column: str
    check: str
    rows: list[object] = field(default_factory=list)

    def __str__(self) -> str:
        where = f" (rows {', '.join(map(str, self.rows))})" if self.rows else ""
        return f"{self.column}: {self.check}{where}"


class FrameContractError(ValueError):
    """A frame broke its schema where a stage built it: a bug in that stage, not bad
    input. The message names the frame and lists every failure, column first."""

    def __init__(self, frame: str, failures: Sequence[Failure]) -> None:
        self.failures = list(failures)
        super().__init__(f"{frame} frame: " + "; ".join(map(str, failures)))


@dataclass(frozen=True)
class FrameSchema:
    name: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # these columns together name one row

    def failures(self, frame: pd.DataFrame) -> list[Failure]:
        """Every broken promise of `frame` (empty when it keeps them all)."""
        found = [Failure(c.name, "missing") for c in self.columns if c.name not in frame]
        for column in (c for c in self.columns if c.name in frame):
            values = frame[column.name]
            if not _KINDS[column.kind](values) and not (values.isna().all() and len(values)):
                found.append(Failure(column.name, f"dtype {values.dtype} is not {column.kind}"))
                continue
            if not (column.checks or not column.nullable):
                continue
            present = values.notna()  # once per column: over object columns it is the cost
            if not column.nullable:
                found += _rows(column.name, "no missing values", present)
            complete = bool(present.all())
            for promise, test in column.checks:
                if complete:  # no copy of the column when nothing is missing (the usual case)
                    kept = test(values).to_numpy(dtype=bool)
                else:
                    kept = np.ones(len(values), dtype=bool)  # a missing value breaks no rule
                    kept[present.to_numpy()] = test(values[present]).to_numpy(dtype=bool)
                found += _rows(column.name, promise, pd.Series(kept, index=values.index))
        if self.unique and all(c in frame for c in self.unique):
            repeated = frame.duplicated(list(self.unique), keep=False)
            found += _rows("+".join(self.unique), "unique", ~repeated)
        return found

    def check(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` unchanged, or `FrameContractError` naming every failure."""
        failures = self.failures(frame)
        if failures:
            raise FrameContractError(self.name, failures)
        return frame


def _rows(column: str, promise: str, kept: pd.Series) -> list[Failure]:
    broken = kept.index[~kept.to_numpy(dtype=bool)]
    return [Failure(column, promise, list(broken[:SHOWN_ROWS]))] if len(broken) else []


def at_least(bound: float) -> tuple[str, Callable[[pd.Series], pd.Series]]:
    return (f">= {bound:g}", lambda s: s.astype(float) >= bound)


def above(bound: float) -> tuple[str, Callable[[pd.Series], pd.Series]]:
    return (f"> {bound:g}", lambda s: s.astype(float) > bound)


def one_of(*allowed: str) -> tuple[str, Callable[[pd.Series], pd.Series]]:
    return (f"one of {', '.join(allowed)}", lambda s: s.astype(str).isin(allowed))


def key(name: str) -> Column:
    """A key column: text, never missing."""
    return Column(name, "text", nullable=False)
