"""The extract's text kept compact: every column a categorical of its distinct strings.

A night's demand files repeat the same few thousand skus, a handful of locations and a
few hundred dates across millions of rows. Read as one Python string per cell, the
10,000-series sample took about 1.3 GB before anything was checked; as categoricals the
same text is a small code per cell plus each distinct string once. The cells are still
exactly the text of the file (the data-quality gate types and repairs them), only
stored once per distinct value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals


def constant(value: str, rows: int) -> pd.Categorical:
    """`value` on every one of `rows` rows (a file's name beside each of its rows)."""
    return pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), categories=[value])


def without_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty text where a short row left no value (the gate reads "" as missing)."""
    for name in frame.columns:
        column = frame[name]
        if not column.isna().any():
            continue
        if isinstance(column.dtype, pd.CategoricalDtype) and "" not in column.cat.categories:
            column = column.cat.add_categories([""])
        frame[name] = column.fillna("")
    return frame


def text_categorical(column: pd.Series) -> pd.Series:
    """A text column as a categorical of its strings (kept if it already is one)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column
    return column.astype(object).astype("category")


def assign(column: pd.Series, rows: np.ndarray, values: np.ndarray) -> pd.Categorical:
    """`column` with the rows at positions `rows` set to `values`, still a categorical.

    Only the new distinct values are added; no Python string per row is made.
    """
    column = text_categorical(column)
    categories = column.cat.categories
    new = pd.Index(pd.unique(values)).difference(categories)
    categories = categories.append(new) if len(new) else categories
    codes = column.cat.codes.to_numpy().astype(_code_type(len(categories)))
    codes[rows] = categories.get_indexer(values)
    return pd.Categorical.from_codes(codes, categories=categories)


def _code_type(categories: int) -> type[np.signedinteger]:
    return np.int8 if categories < 2**7 else np.int16 if categories < 2**15 else np.int32


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Rows of several files of one kind, one below the other, text columns unioned as
    categoricals (pandas' own concat turns categoricals of different values into
    one Python string per cell, which is what this module avoids).

    The columns are those of all the files together, in the order first seen: a column
    one file lacks (its `source_problem` when it had no damaged row, an unknown column
    only another file sends) is empty text on that file's rows. Every file's rows keep
    what was read for them, whichever file came first.
    """
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    names = list(dict.fromkeys(name for frame in frames for name in frame.columns))
    columns: dict[str, object] = {}
    for name in names:
        parts = [
            frame[name] if name in frame.columns else pd.Series(constant("", len(frame)))
            for frame in frames
        ]
        if all(part.dtype.kind in "iuf" for part in parts):
            columns[name] = np.concatenate([part.to_numpy() for part in parts])
        else:
            columns[name] = union_categoricals([text_categorical(p) for p in parts])
    return pd.DataFrame(columns)
