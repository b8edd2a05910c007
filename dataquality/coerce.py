"""Typing a raw table: every contract column parsed, repairs and failures recorded.

This is the only place that turns text into typed values, so a new cell-level repair
(a new date format, a unit suffix) is added to `parsing` and shows up for every table.
Cells repeat massively (thousands of skus and hundreds of dates across a million rows),
so each distinct cell is parsed once and the result spread back to its rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dataquality.contract import Column, ColumnType
from dataquality.parsing import (
    Parsed,
    Text,
    check_text,
    parse_dates,
    parse_flags,
    parse_keys,
    parse_numbers,
    parse_text,
)
from dataquality.reasons import Reason
from dataquality.rules import ValidationRules
from dataquality.table import Table


def as_text(column: pd.Series) -> pd.Series:
    """Cells as strings; sources other than CSV may hand over typed or missing values."""
    if column.dtype == object and not column.isna().any():
        return column
    if isinstance(column.dtype, pd.CategoricalDtype):
        # The CSV source's compact text: each row points at its category's one string
        # object (a missing cell, code -1, at the "" appended last). Never through a
        # numpy str dtype: that is a fixed-width copy of the longest cell per row.
        labels = np.empty(len(column.cat.categories) + 1, dtype=object)
        labels[:-1] = [str(label) for label in column.cat.categories]
        labels[-1] = ""
        return pd.Series(labels[column.cat.codes.to_numpy()], index=column.index, dtype=object)
    return column.astype(object).where(column.notna(), "").astype(str)


def as_cells(column: pd.Series) -> pd.Series:
    """Cells as text kept compact: a categorical of strings with no missing value ("").

    A million-row column of text is 8 bytes a row plus its strings; the categorical is
    1-4 bytes a row and each distinct string once. At M5's size (13 M demand rows) the
    text copies were the largest part of the validation's peak (about 4 GB in all).
    """
    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = as_text(column)
        codes, uniques = pd.factorize(column.to_numpy(dtype=object))
        return pd.Series(pd.Categorical.from_codes(codes, uniques), index=column.index)
    labels = [str(label) for label in column.cat.categories]
    codes = column.cat.codes.to_numpy()
    if (codes < 0).any():
        if "" not in labels:
            labels.append("")
        codes = np.where(codes < 0, labels.index(""), codes).astype(codes.dtype, copy=False)
    if len(set(labels)) < len(labels):  # str() of distinct values may coincide: text merges
        return as_cells(as_text(column))
    return pd.Series(pd.Categorical.from_codes(codes, labels), index=column.index)


def coerce(table: Table, rules: ValidationRules) -> None:
    """Fill `table.values` with typed contract columns and flag the cells that fail."""
    files = table.raw["source_file"]
    typed: dict[str, pd.Series] = {}
    for column in table.contract.columns:
        raw = table.raw[column.name]
        # slashed dates are read day- or month-first per file, so a date is distinct per file
        by_file = column.type is ColumnType.DATE
        codes, first = distinct(raw, files) if by_file else distinct(raw)
        cells = as_text(raw.iloc[first]).reset_index(drop=True)
        parsed = expand(
            _parse(column, cells, files.iloc[first].reset_index(drop=True), rules), codes, raw.index
        )
        for reason, (mask, text) in parsed.outcomes.items():
            table.flag(reason, column.name, mask, text)
        if column.missing is not None:
            table.flag(column.missing, column.name, parsed.empty, "is missing", quote=False)
        table.blank[column.name] = parsed.empty
        values = parsed.values
        if column.missing is None and column.required:
            # resolved by a table rule (items' lead time); NaN marks it as still open
            values = values.where(~parsed.empty)
        elif column.missing is None and parsed.empty.any():
            values = values.where(~parsed.empty, column.default)
        typed[column.name] = values
    # not consolidated (`copy=False`): stacking the columns by dtype would copy them all
    table.values = pd.DataFrame(typed, index=table.raw.index, copy=False)


def _parse(column: Column, cells: pd.Series, files: pd.Series, rules: ValidationRules) -> Parsed:
    if column.type is ColumnType.KEY:
        return check_text(parse_keys(cells, upper=column.upper), column.max_length, identifier=True)
    if column.type is ColumnType.NUMBER:
        return parse_numbers(cells, decimal_comma=rules.decimal_comma)
    if column.type is ColumnType.DATE:
        return parse_dates(cells, files)
    if column.type is ColumnType.FLAG:
        return parse_flags(cells)
    return check_text(parse_text(cells), column.max_length, identifier=False)


def distinct(*columns: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the code of its distinct value (combination); per code, its first row."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        if isinstance(column.dtype, pd.CategoricalDtype):  # distinct categories: no hashing
            column_codes, uniques = pd.factorize(column.cat.codes.to_numpy())
        else:
            column_codes, uniques = pd.factorize(column.to_numpy(dtype=object))
        codes = codes * len(uniques) + column_codes
    if len(columns) > 1:
        codes, _ = pd.factorize(codes)
    if not len(codes):
        return codes, codes
    # factorize numbers values in order of appearance: a code is new where the running max grows
    running = np.maximum.accumulate(codes)
    return codes, np.flatnonzero(np.r_[True, running[1:] > running[:-1]])


def expand(parsed: Parsed, codes: np.ndarray, index: pd.Index) -> Parsed:
    """A parse of the distinct cells, spread back to every row that holds them."""
    outcomes: dict[Reason, tuple[np.ndarray, Text]] = {}
    for reason, (mask, text) in parsed.outcomes.items():
        if not mask.any():
            outcomes[reason] = (np.zeros(len(codes), dtype=bool), "")
            continue
        at_rows = mask[codes]
        if not isinstance(text, str):
            rows = np.flatnonzero(at_rows)
            text = pd.Series(text.reindex(codes[rows]).to_numpy(), index=rows)
        outcomes[reason] = (at_rows, text)
    values = pd.Series(parsed.values.to_numpy()[codes], index=index)
    return Parsed(values, parsed.empty[codes], outcomes)
