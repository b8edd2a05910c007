"""Row checks shared by several tables: duplicates, references, quantities, dates.

Each check adds findings to a `Table` for whole columns at once; none of them looks at
one row in Python, so their cost grows with the data only through pandas/numpy.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dataquality.contract import SOURCE_PROBLEM
from dataquality.parsing import Mask, printable
from dataquality.reasons import Reason
from dataquality.table import Table


def _positions(index: pd.Index, size: int) -> Mask:
    mask = np.zeros(size, dtype=bool)
    mask[index.to_numpy()] = True
    return mask


def check_duplicates(table: Table) -> None:
    """Exact copies collapse into one row; one key with different values is a conflict.

    Every row with a complete key takes part, whatever else is wrong with it: when one
    copy of a key has a bad value, nobody can tell which copy is right, so the whole key
    is quarantined rather than silently keeping the readable one. Run it after the other
    checks of the table: the row kept from a set of copies is the first one not
    quarantined, so a copy with an unreadable optional cell never displaces a good one.
    """
    key = list(table.contract.key)
    complete = table.present(*(k for k in key if table.contract.column(k).required))
    shared = _shared_keys(table.values, key, complete)
    if not shared.any():
        return
    group = table.values.loc[shared]
    # stable order: rows still in good standing first, then by position
    group = group.iloc[np.lexsort((group.index.to_numpy(), table.quarantined[group.index]))]
    origin = table.raw.loc[group.index]
    where = origin["source_file"].astype(str) + " line " + origin["source_line"].astype(str)
    copy = group.duplicated(table.contract.names, keep="first")
    variants = (~copy).groupby([group[k] for k in key], dropna=False).transform("sum")
    conflict = variants > 1
    if conflict.any():
        _flag_conflicts(table, group[conflict], where[conflict])
    copies = copy & ~conflict
    if copies.any():
        by_value = [group[c] for c in table.contract.names]
        kept = where.groupby(by_value, dropna=False).transform("first")[copies]
        mask = _positions(kept.index, len(table))
        text = "is an exact copy of " + kept + " and was collapsed into it"
        table.flag(Reason.DUPLICATE_COLLAPSED, "row", mask, text, quote=False)
        table.collapsed |= mask


def _shared_keys(values: pd.DataFrame, key: list[str], rows: Mask) -> Mask:
    """Per row, whether it is among `rows` and another of them has the same key (a
    missing key part equals another missing one, as `DataFrame.duplicated` has it).

    By integer codes of each key column: the frame's own `duplicated` over a copy of the
    demand's rows held about 500 MB at 10,000 item-locations."""
    at = None if rows.all() else np.flatnonzero(rows)
    code = np.zeros(int(rows.sum()), dtype=np.int64)
    for name in key:
        column = values[name].to_numpy()
        column_codes, uniques = pd.factorize(column if at is None else column[at])
        del column
        if (len(uniques) + 1) * (int(code.max(initial=0)) + 1) >= 2**62:
            code = np.unique(code, return_inverse=True)[1].astype(np.int64)  # dense again
        code *= len(uniques) + 1
        code += column_codes + 1  # missing (-1) becomes 0
    # the keys held twice or more, by sorting (a hash table of millions of mostly
    # distinct keys is what made `duplicated` large)
    ordered = np.sort(code)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    # looked up by binary search: `np.isin` sorts both arrays together
    place = np.minimum(np.searchsorted(repeated, code), max(0, repeated.size - 1))
    found = repeated[place] == code if repeated.size else np.zeros(code.size, dtype=bool)
    if at is None:
        return found
    shared = np.zeros(len(values), dtype=bool)
    shared[at[found]] = True
    return shared


def _flag_conflicts(table: Table, rows: pd.DataFrame, where: pd.Series) -> None:
    """All rows of a conflicting key, each naming the key, the count and the first row."""
    key = list(table.contract.key)
    rows = rows.sort_index()  # 'first' means first in the file, whatever was sorted before
    where = where.loc[rows.index]
    by_key = [rows[k] for k in key]
    size = where.groupby(by_key, dropna=False).transform("size")
    first = where.groupby(by_key, dropna=False).transform("first")
    shown = printable(rows[key[0]].astype(str))
    for k in key[1:]:
        shown = shown + "' / '" + printable(rows[k].astype(str))
    text = (
        "('"
        + shown
        + "') appears on "
        + size.astype(str)
        + " rows with different values (first: "
        + first
        + ")"
    )
    field_name = " / ".join(key)
    mask = _positions(rows.index, len(table))
    table.flag(Reason.CONFLICTING_DUPLICATE, field_name, mask, text, quote=False)


def item_keys(items: Table) -> pd.MultiIndex:
    """sku + location of the accepted items (repaired ones included)."""
    ok = items.kept()
    return pd.MultiIndex.from_frame(items.values.loc[ok, ["sku", "location"]])


def check_known_items(table: Table, items: Table) -> None:
    """Rows naming an item-location that is not an accepted item are UNKNOWN_SKU."""
    values = table.values
    kept = items.values.loc[items.kept()]
    unknown = table.present("sku", "location") & ~_among(values, kept)
    if not unknown.any():
        return
    quarantined_item = unknown & _among(values, items.values)
    rows = np.flatnonzero(unknown)
    text = pd.Series("at location '", index=rows, dtype=object) + printable(
        table.values["location"].iloc[rows]
    )
    text = text + np.where(
        quarantined_item[rows], "' is an item whose own row is quarantined", "' is not in items"
    )
    table.flag(Reason.UNKNOWN_SKU, "sku", unknown, text)


def _among(rows: pd.DataFrame, keys: pd.DataFrame) -> Mask:
    """Per row of `rows`, whether its (sku, location) pair is one of `keys`' pairs.

    By integer codes of the keys' own skus and locations: a MultiIndex `isin` would
    build a Python tuple per row (about 300 MB at 10,000 item-locations' demand)."""
    skus = pd.Index(keys["sku"].dropna().unique())
    locations = pd.Index(keys["location"].dropna().unique())
    width = max(1, len(locations))
    key_sku, key_location = skus.get_indexer(keys["sku"]), locations.get_indexer(keys["location"])
    listed = key_sku.astype(np.int64) * width + key_location
    listed = np.unique(listed[(key_sku >= 0) & (key_location >= 0)])
    sku, location = skus.get_indexer(rows["sku"]), locations.get_indexer(rows["location"])
    found = (sku >= 0) & (location >= 0)
    return found & np.isin(sku.astype(np.int64) * width + location, listed)


def check_quantity(table: Table, column: str, max_quantity: float, *, negative_ok: bool) -> None:
    """Negative quantities (unless they mean a backorder) and absurdly large ones."""
    quantity = table.values[column].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        if not negative_ok:
            table.flag(Reason.NEGATIVE_QUANTITY, column, quantity < 0, "is negative")
        absurd = np.abs(quantity) > max_quantity
    table.flag(
        Reason.ABSURD_QUANTITY,
        column,
        absurd,
        f"is beyond the limit of {max_quantity:,g} (validation.max_quantity)",
    )


def check_source_problems(table: Table) -> None:
    """Rows the source could not read cleanly ("CODE: sentence" in `source_problem`)."""
    if SOURCE_PROBLEM not in table.raw.columns:
        return
    column = table.raw[SOURCE_PROBLEM]
    if isinstance(column.dtype, pd.CategoricalDtype):  # compact cells: compare the codes
        empty = np.asarray(column.cat.categories.astype(str) == "")
        has = ~empty[column.cat.codes.to_numpy()]
    else:
        has = (column.astype(str) != "").to_numpy()
    if not has.any():
        return
    problem = column.iloc[np.flatnonzero(has)].astype(str)
    code, _, sentence = (problem.str.partition(": ")[i] for i in (0, 1, 2))
    for value in code.unique():
        reason = Reason(value)
        rows = code.index[(code == value).to_numpy()]
        mask = _positions(rows, len(table))
        table.flag(reason, "row", mask, sentence.loc[rows], quote=False)


def check_ceiling(table: Table, column: str, limit: float, setting: str) -> None:
    """A number above its plausible maximum (`validation.<setting>`): OUT_OF_RANGE."""
    values = table.values[column].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        above = values > limit
    table.flag(
        Reason.OUT_OF_RANGE,
        column,
        above,
        f"is above the plausible maximum of {limit:,g} (validation.{setting})",
    )


def check_not_future(table: Table, column: str, as_of: date) -> None:
    """Dates after the run's as-of date: history cannot come from the future."""
    future = (table.values[column] > pd.Timestamp(as_of)).to_numpy()
    table.flag(Reason.FUTURE_DATE, column, future, f"is after the as-of date {as_of.isoformat()}")


def check_not_ancient(table: Table, column: str, as_of: date, years: int) -> None:
    """Dates more than `years` before the as-of date: a typo or a placeholder (1900-01-01,
    0001-01-01), not history; kept, it would make its series decades of zero demand."""
    floor = pd.Timestamp(as_of) - pd.DateOffset(years=years)
    ancient = (table.values[column] < floor).to_numpy()
    table.flag(
        Reason.ANCIENT_DATE,
        column,
        ancient,
        f"is before {floor.date().isoformat()}, more than {years} years before the as-of date "
        f"{as_of.isoformat()} (validation.max_history_years)",
    )


def check_range(
    table: Table, column: str, bad: pd.Series | Mask, reason: Reason, text: str
) -> None:
    """A number outside its allowed range (NaN never is: missing is handled elsewhere)."""
    table.flag(reason, column, np.asarray(bad, dtype=bool), text)
