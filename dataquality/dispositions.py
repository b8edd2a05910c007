"""From findings to verdicts: the clean tables, the per-file counts and the issues list.

A row is quarantined if any quarantine reason touched it, else repaired if any repair
did, else accepted: one verdict per row, so the counts always balance. A quarantined
row lists only its quarantine reasons (its repairs no longer matter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dataquality.contract import ColumnType
from dataquality.parsing import Mask
from dataquality.table import Table

ISSUE_COLUMNS = [
    "kind",
    "file",
    "line",
    "disposition",
    "reasons",
    "field",
    "detail",
    "sku",
    "location",
    "raw",
]
COUNT_COLUMNS = ["kind", "file", "read", "accepted", "repaired", "quarantined"]
# the documented dtype of each kind of validated column (an integer column: int64)
_CLEAN_DTYPE = {
    ColumnType.NUMBER: "float64",
    ColumnType.DATE: "datetime64[ns]",
    ColumnType.FLAG: "bool",
    ColumnType.KEY: "object",
    ColumnType.TEXT: "object",
}


def repaired_rows(table: Table) -> Mask:
    """Rows with at least one repair and no quarantine reason."""
    repaired = np.zeros(len(table), dtype=bool)
    for finding in table.findings:
        if finding.reason.is_repair:
            repaired[finding.rows] = True
    return repaired & ~table.quarantined


def clean_table(table: Table) -> pd.DataFrame:
    """Accepted and repaired rows (one per collapsed duplicate) in the documented dtypes.

    The last step of a table's validation: its typed columns move out of `table.values`
    as they are copied, so the gate never holds the typed and the clean table whole at
    once (at 10,000 item-locations each is about 160 MB of demand)."""
    kept = table.kept()
    columns: dict[str, pd.Series] = {}
    # Column by column into a frame that is not consolidated (`copy=False`): a copy of
    # the whole typed table, then one per column cast, was the gate's largest moment.
    for column in table.contract.columns:
        dtype = "int64" if column.integer else _CLEAN_DTYPE[column.type]
        values = pd.Series(table.values.pop(column.name).to_numpy()[kept])
        columns[column.name] = values.astype(dtype, copy=False)
    return pd.DataFrame({name: columns[name] for name in table.contract.names}, copy=False)


def counts(table: Table) -> pd.DataFrame:
    """read / accepted / repaired / quarantined per input file, in file order."""
    repaired = repaired_rows(table)
    # by the codes of the files in order of appearance (a group-by on the text of every
    # row's file name hashed millions of strings)
    codes, files = pd.factorize(table.raw["source_file"], sort=False)
    named = codes >= 0
    codes = codes[named]

    def per_file(mask: Mask) -> np.ndarray:
        return np.bincount(codes[mask[named]], minlength=len(files)).astype(np.int64)

    out = pd.DataFrame(
        {
            "kind": table.kind,
            "file": np.asarray(files, dtype=object),
            "read": np.bincount(codes, minlength=len(files)).astype(np.int64),
            "accepted": per_file(~table.quarantined & ~repaired),
            "repaired": per_file(repaired),
            "quarantined": per_file(table.quarantined),
        },
        columns=COUNT_COLUMNS,
    )
    return out


def _append(labels: np.ndarray, at: np.ndarray, label: str, seen: Mask) -> np.ndarray:
    """Add `label` to the ';'-lists at positions `at` not holding it yet; return those."""
    new = at[~seen[at]]
    seen[new] = True
    labels[new] = np.where(labels[new] == "", label, labels[new] + ";" + label)
    return new


def issues(table: Table) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per repaired or quarantined input row, plus a (file, reason) tally.

    The per-row lists are built finding by finding (a handful per table), each step a
    numpy operation over the rows that finding touched.
    """
    quarantined = table.quarantined
    rows = np.flatnonzero(quarantined | repaired_rows(table))
    slot = np.full(len(table), -1)
    slot[rows] = np.arange(rows.size)
    reasons, fields, details = (np.full(rows.size, "", dtype=object) for _ in range(3))
    seen: dict[str, Mask] = {}
    tally_at: list[np.ndarray] = []
    tally_reason: list[np.ndarray] = []
    for finding in table.findings:
        keep = ~quarantined[finding.rows] if finding.reason.is_repair else slice(None)
        at = slot[finding.rows[keep]]
        code = finding.reason.value
        new = _append(reasons, at, code, seen.setdefault("r" + code, np.zeros(rows.size, bool)))
        _append(
            fields,
            at,
            finding.field,
            seen.setdefault("f" + finding.field, np.zeros(rows.size, bool)),
        )
        text = finding.detail[keep]
        details[at] = np.where(details[at] == "", text, details[at] + "; " + text)
        tally_at.append(new)
        tally_reason.append(np.full(new.size, code, dtype=object))
    raw = table.raw.iloc[rows]
    where = raw["source_file"].astype(str) + " line " + raw["source_line"].astype(str)
    where = where.to_numpy(object)
    values = table.values.iloc[rows]
    frame = pd.DataFrame(
        {
            "kind": table.kind,
            "file": raw["source_file"].to_numpy(object),
            "line": raw["source_line"].to_numpy(),
            "disposition": np.where(quarantined[rows], "quarantined", "repaired"),
            "reasons": reasons,
            "field": fields,
            "detail": where + ": " + details,
            "sku": values["sku"].to_numpy(object) if "sku" in values else "",
            "location": values["location"].to_numpy(object) if "location" in values else "",
            "raw": as_json(raw[table.read_columns]),
        },
        columns=ISSUE_COLUMNS,
    )
    at_all = np.concatenate(tally_at) if tally_at else np.zeros(0, dtype=int)
    codes = np.concatenate(tally_reason) if tally_reason else np.zeros(0, dtype=object)
    tally = pd.DataFrame(
        {
            "file": frame["file"].to_numpy()[at_all],
            "reason": codes,
            "disposition": frame["disposition"].to_numpy()[at_all],
        }
    )
    return frame, tally


def as_json(raw: pd.DataFrame) -> list[str]:
    """Each row as read, as one JSON object (the evidence kept with every issue)."""
    if raw.empty:
        return []
    text = raw.to_json(orient="records", lines=True, force_ascii=False)
    # pandas escapes '/' as '\/': valid JSON, but noise in a report people read
    return text.rstrip("\n").replace("\\/", "/").split("\n")


def top_reasons(tally: pd.DataFrame, limit: int = 3) -> pd.Series:
    """'CODE (rows), ...' of the most frequent quarantine reasons per file."""
    quarantine = tally[tally["disposition"] == "quarantined"]
    if quarantine.empty:
        return pd.Series(dtype=object)
    counted = quarantine.groupby(["file", "reason"]).size().rename("rows").reset_index()
    counted = counted.sort_values(["file", "rows", "reason"], ascending=[True, False, True])
    top = counted.groupby("file").head(limit)
    label = top["reason"] + " (" + top["rows"].astype(str) + ")"
    return label.groupby(top["file"]).agg(", ".join)


def with_empty_files(per_file: pd.DataFrame, files: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Counts with a zero line for each file read that held no data row."""
    seen = set(per_file["file"])
    empty = [(kind, name) for kind, names in files.items() for name in names if name not in seen]
    if not empty:
        return per_file
    zero = pd.DataFrame(
        {
            "kind": [k for k, _ in empty],
            "file": [n for _, n in empty],
            **dict.fromkeys(COUNT_COLUMNS[2:], 0),
        }
    ).astype(dict.fromkeys(COUNT_COLUMNS[2:], "int64"))
    return pd.concat([per_file, zero[COUNT_COLUMNS]], ignore_index=True)
