"""One input table under validation: its raw rows, typed values and the findings so far.

Checks never drop or change raw rows; they only add findings (reason, field, rows,
sentence). Whether a row ends accepted, repaired or quarantined is decided once, from
all findings together, which is what keeps read = accepted + repaired + quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dataquality.contract import ColumnType, TableContract
from dataquality.parsing import Mask, Text, printable
from dataquality.reasons import Reason


@dataclass(frozen=True)
class Finding:
    """One reason given to some rows of a table, with a sentence ending per row."""

    reason: Reason
    field: str
    rows: np.ndarray  # positions
    detail: np.ndarray  # object array of sentences, aligned with rows


@dataclass
class Table:
    """A table being validated. `raw` is the input as read; `values` its typed columns."""

    contract: TableContract
    raw: pd.DataFrame
    values: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: list[Finding] = field(default_factory=list)
    quarantined: Mask = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # exact duplicate copies: counted as repaired, but not passed on a second time
    collapsed: Mask = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # columns the source really had: an issue's raw JSON shows only those
    read_columns: list[str] = field(default_factory=list)
    # per column, the rows whose cell was empty (set by `coerce`)
    blank: dict[str, Mask] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.raw = self.raw.reset_index(drop=True)
        self.quarantined = np.zeros(len(self.raw), dtype=bool)
        self.collapsed = np.zeros(len(self.raw), dtype=bool)
        self.read_columns = self.read_columns or self.contract.names

    @property
    def kind(self) -> str:
        """The contract's kind: items, suppliers, demand, stock or open_orders."""
        return self.contract.kind

    def __len__(self) -> int:
        return len(self.raw)

    def flag(
        self, reason: Reason, field_name: str, mask: Mask, text: Text, *, quote: bool = True
    ) -> None:
        """Give `reason` to the rows in `mask`; the detail reads "<field> '<raw value>' <text>".

        `text` is one ending for every row or a Series indexed by (at least) the flagged
        rows; with `quote=False` the raw value is left out ("sku is missing").
        """
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return
        if isinstance(text, str):
            ending = pd.Series(text, index=rows, dtype=object)
        else:
            ending = text.loc[rows].astype(object)
        if quote and field_name in self.raw.columns:
            head = field_name + " '" + printable(self.raw[field_name].iloc[rows]) + "' "
            detail = head.to_numpy(dtype=object) + ending.to_numpy(dtype=object)
        else:
            detail = (field_name + " " + ending).to_numpy(dtype=object)
        self.findings.append(Finding(reason, field_name, rows, detail))
        if not reason.is_repair:
            self.quarantined[rows] = True

    def kept(self) -> Mask:
        """Rows that go on to the validated table so far: what later tables may rely on."""
        return ~self.quarantined & ~self.collapsed

    def present(self, *columns: str) -> Mask:
        """Rows with a non-empty, readable value in every column named."""
        mask = np.ones(len(self), dtype=bool)
        for name in columns:
            mask &= ~self.blank[name]
            if self.contract.column(name).type in (ColumnType.NUMBER, ColumnType.DATE):
                mask &= self.values[name].notna().to_numpy()
        return mask
