"""The rollout policy: which mode (shadow, review-all, live) each of tonight's orders is
made in, for the whole catalogue and per category, supplier or location.

Precedence, when an order matches several settings:
1. An override wins over the catalogue-wide `mode`: that is what lets a company roll out
   a scope at a time (the catalogue in shadow, one category live) or keep one back (the
   catalogue live, one supplier in review-all).
2. Several overrides matching one line (its category, its order's supplier, its order's
   location): the most cautious wins (shadow, then review-all, then live), because two
   people who each chose caution for their scope must both be obeyed; a scope never
   loosens another scope's caution.
3. An order takes the most cautious mode of its lines: a purchase order is one document
   for one supplier and location, and it cannot be half sent.

Pure values (no I/O), like the routing policy beside it; the settings' `[rollout]`
section is this model.
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.lifecycle import OrderStatus
from domain.rollout import CAUTION, RolloutMode

#: The scopes an override may name, and the line column each one is matched on.
SCOPES = {"category": "category", "supplier": "supplier_id", "location": "location"}
CATALOGUE = "catalogue"


class RolloutPolicy(BaseModel):
    """`mode` for the whole catalogue, `overrides` per 'category:<name>',
    'supplier:<supplier_id>' or 'location:<location>'."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: RolloutMode = Field(
        default=RolloutMode.LIVE,
        description="shadow: propose and record, send nothing to the ERP, e-mail no buyer; "
        "review-all: every order goes to a person; live: only the exceptions do.",
    )
    overrides: dict[str, RolloutMode] = Field(
        default_factory=dict,
        description="Mode per scope, keyed 'category:<name>', 'supplier:<id>' or "
        "'location:<location>'. An override wins over `mode`; several matching one order: "
        "the most cautious (shadow, review-all, live).",
    )

    @model_validator(mode="after")
    def _known_scopes(self) -> RolloutPolicy:
        # A misspelt scope would silently leave the catalogue's mode in force.
        for key in self.overrides:
            scope, _, target = key.partition(":")
            if scope not in SCOPES or not target:
                raise ValueError(
                    f"rollout override {key!r}: use 'category:<name>', 'supplier:<id>' "
                    "or 'location:<location>'"
                )
        return self

    def scoped_modes(self) -> dict[str, str]:
        """Every configured scope with its mode, the catalogue's included (`catalogue`):
        what the audit compares night by night."""
        return {CATALOGUE: self.mode.value, **{k: v.value for k, v in self.overrides.items()}}

    def order_modes(self, orders: pd.DataFrame, lines: pd.DataFrame) -> pd.Series:
        """Each order's mode (index po_key), from its lines (`category` where the frame
        has it) and its supplier and location, by the precedence above."""
        keys = orders["po_key"]
        if not self.overrides:
            return pd.Series(self.mode.value, index=keys.to_numpy(), dtype=object)
        rank = {mode.value: i for i, mode in enumerate(CAUTION)}
        ordered = lines.loc[lines["po_key"].notna(), ["po_key", "sku", "category"]
                            if "category" in lines else ["po_key", "sku"]]  # fmt: skip
        ordered = ordered.merge(orders[["po_key", "supplier_id", "location"]], on="po_key")
        # An order with no line left (none in practice) still has a supplier and location.
        bare = orders.loc[~keys.isin(ordered["po_key"]), ["po_key", "supplier_id", "location"]]
        ordered = pd.concat([ordered, bare], ignore_index=True)
        matched = pd.Series(float("nan"), index=ordered.index, dtype=float)
        for scope, column in SCOPES.items():
            if column not in ordered:
                continue
            named = {k.partition(":")[2]: rank[v.value] for k, v in self.overrides.items()
                     if k.startswith(scope + ":")}  # fmt: skip
            if named:
                found = ordered[column].astype(str).map(named).astype(float)
                matched = matched.where(matched.le(found) | found.isna(), found)
        line_rank = matched.fillna(rank[self.mode.value]).to_numpy()
        per_order = pd.Series(line_rank, index=ordered["po_key"].to_numpy()).groupby(level=0).min()
        modes = per_order.reindex(keys.to_numpy()).fillna(rank[self.mode.value]).astype(int)
        return modes.map(lambda i: CAUTION[i].value).astype(object)


def apply_rollout(decisions: pd.Series, modes: pd.Series) -> pd.Series:
    """Each order's decision under its mode (both indexed by po_key): shadow orders become
    `shadow` (recorded, never sent nor mailed), review-all ones wait for a person, live
    ones keep what the exception rules decided."""
    mode = modes.reindex(decisions.index).fillna(RolloutMode.LIVE.value)
    decided = decisions.astype(object).copy()
    decided[mode.eq(RolloutMode.REVIEW_ALL.value).to_numpy()] = OrderStatus.PENDING_REVIEW.value
    decided[mode.eq(RolloutMode.SHADOW.value).to_numpy()] = OrderStatus.SHADOW.value
    return decided
