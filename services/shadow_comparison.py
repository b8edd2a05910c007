"""Compare a shadow night's proposals with what the buyers actually ordered after it.

Shadow mode is worth only this comparison: the product proposed (and recorded) while the
buyers went on ordering by hand. The buyers' orders are read from the open-orders file
of later extracts: an order reference there that the shadow night's own extract did not
hold, and that is not one of the product's orders (a live scope's order, under its key
or the ERP's reference), is a buyer's order placed since. The ERP adapters cannot tell
us: they list only the orders under the product's own keys
(`integrations.erp.base.ReconcilableErp.list_orders`).

Independent of any entry point: `replenish shadow-report` prints it, the value report
shows it as a section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from contracts.shadow_comparison import ItemComparison, ShadowComparison, SideTotals
from dataquality import ValidationRules, validate
from domain.money import to_money
from integrations.sources.base import CsvFolderSource, Source
from purchasing.currency import totals_by_currency
from services.run_ids import full_run_id
from storage.unit_of_work import UnitOfWork

NOTE = (
    "Buyers' orders: open-order lines of the later extracts whose order reference the "
    "shadow night's extract did not hold and that are not the product's own orders. An "
    "order placed and fully delivered between two extracts is not seen, so compare with "
    "the next nights' extracts. The ERP adapters list only the product's own orders, so "
    "buyers' orders come from the extract."
)
_KEY = ["sku", "location"]


class NoShadowNight(LookupError):
    """There is nothing to compare: no shadow order, or its night's extract is gone."""


@dataclass(frozen=True)
class ShadowNight:
    run_id: str
    as_of: Any
    source: str
    lines: pd.DataFrame


def compare_shadow_night(
    uow_factory: Callable[[], UnitOfWork],
    later: Sequence[Source],
    rules: ValidationRules,
    base_currency: str,
    *,
    run: str | None = None,
    baseline: Source | None = None,
) -> ShadowComparison:
    """The shadow night `run` (default: the latest one) against the buyers' orders new in
    the `later` extracts since `baseline` (default: the extract the night read)."""
    night = _shadow_night(uow_factory, run)
    before = baseline or _recorded_extract(night.source)
    seen = set(_tables(before, night.as_of, rules)["open_orders"]["order_ref"].astype(str))
    opened, prices = [], pd.DataFrame(columns=[*_KEY, "unit_cost", "currency"])
    for source in later:
        tables = _tables(source, night.as_of, rules)
        opened.append(tables["open_orders"])
        prices = _prices(tables, base_currency)  # the latest extract's costs
    new = pd.concat(opened, ignore_index=True) if opened else pd.DataFrame()
    new = new.loc[~new["order_ref"].astype(str).isin(seen)] if len(new) else new
    if len(new):
        with uow_factory() as uow:
            own = uow.orders.own_references(new["order_ref"].astype(str))
        new = new.loc[~new["order_ref"].astype(str).isin(own)]
        # One line seen in several later extracts is one order, at its largest quantity.
        new = new.groupby(["order_ref", *_KEY], as_index=False).agg(
            supplier_id=("supplier_id", "first"), quantity=("quantity", "max")
        )
    figures = compare(night.lines, new, prices, base_currency)
    return ShadowComparison(
        run_id=night.run_id,
        as_of=str(night.as_of),
        shadow_orders=int(night.lines["po_key"].nunique()),
        baseline=before.describe(),
        later=[source.describe() for source in later],
        buyer_orders=int(new["order_ref"].nunique()) if len(new) else 0,
        note=NOTE,
        **figures,
    )


def compare(
    proposed: pd.DataFrame, ordered: pd.DataFrame, prices: pd.DataFrame, base: str
) -> dict[str, Any]:
    """The figures per item-location and per side (pure: frames in, values out).

    `proposed`: sku, location, supplier_id, proposed_quantity, line_value, currency;
    `ordered`: order_ref, sku, location, supplier_id, quantity; `prices`: sku, location,
    unit_cost, currency (the buyers' lines are valued at the item's cost)."""
    mine = proposed.assign(
        units=proposed["proposed_quantity"].astype(float),
        value=proposed["line_value"].astype(float),
    ).groupby(_KEY, as_index=False).agg(
        supplier_id=("supplier_id", "first"), proposed_units=("units", "sum"),
        proposed_value=("value", "sum"), currency=("currency", "first"),
    )  # fmt: skip
    if len(ordered):
        theirs = ordered.assign(quantity=ordered["quantity"].astype(float)).groupby(
            _KEY, as_index=False
        ).agg(
            buyer_supplier=("supplier_id", "first"), ordered_units=("quantity", "sum"),
            buyer_orders=("order_ref", lambda refs: sorted(set(map(str, refs)))),
        )  # fmt: skip
    else:
        theirs = pd.DataFrame(columns=[*_KEY, "buyer_supplier", "ordered_units", "buyer_orders"])
    both = mine.merge(theirs, on=_KEY, how="outer").merge(
        prices.rename(columns={"currency": "price_currency"}), on=_KEY, how="left"
    )
    both["supplier_id"] = both["supplier_id"].fillna(both["buyer_supplier"]).fillna("")
    both["currency"] = both["currency"].fillna(both["price_currency"]).fillna(base)
    for column in ("proposed_units", "ordered_units", "proposed_value", "unit_cost"):
        both[column] = pd.to_numeric(both[column], errors="coerce").fillna(0.0)
    both["ordered_value"] = (both["ordered_units"] * both["unit_cost"]).round(2)
    both["side"] = "both"
    both.loc[both["ordered_units"] <= 0, "side"] = "product_only"
    both.loc[both["proposed_units"] <= 0, "side"] = "buyers_only"
    both = both.sort_values(["side", "proposed_value", "sku", "location"],
                            ascending=[True, False, True, True], kind="stable")  # fmt: skip
    return {
        "matched": _side(both.loc[both["side"] == "both"], base),
        "product_only": _side(both.loc[both["side"] == "product_only"], base),
        "buyers_only": _side(both.loc[both["side"] == "buyers_only"], base),
        "proposed_value": _money(both["proposed_value"], both["currency"], base),
        "ordered_value": _money(both["ordered_value"], both["currency"], base),
        "items": [_item(row) for row in both.to_dict("records")],
    }


def _side(part: pd.DataFrame, base: str) -> SideTotals:
    return SideTotals(
        items=len(part),
        proposed_units=_units(part["proposed_units"].sum()),
        ordered_units=_units(part["ordered_units"].sum()),
        proposed_value=_money(part["proposed_value"], part["currency"], base),
        ordered_value=_money(part["ordered_value"], part["currency"], base),
    )


def _item(row: dict[str, Any]) -> ItemComparison:
    refs = row.get("buyer_orders")
    return ItemComparison(
        sku=str(row["sku"]), location=str(row["location"]),
        supplier_id=str(row["supplier_id"]), side=row["side"],
        proposed_units=_units(row["proposed_units"]), ordered_units=_units(row["ordered_units"]),
        proposed_value=to_money(row["proposed_value"]),
        ordered_value=to_money(row["ordered_value"]), currency=str(row["currency"]),
        buyer_orders=list(refs) if isinstance(refs, list) else [],
    )  # fmt: skip


def _units(value: Any) -> Decimal:
    return Decimal(str(round(float(value), 3)))


def _money(amounts: pd.Series, currencies: pd.Series, base: str) -> dict[str, Decimal]:
    totals = totals_by_currency(amounts, currencies, base)
    return {code: to_money(value) for code, value in totals.items() if value}


def _shadow_night(uow_factory: Callable[[], UnitOfWork], run: str | None) -> ShadowNight:
    with uow_factory() as uow:
        run_id = full_run_id(uow, run) if run else uow.orders.latest_shadow_run()
        if run_id is None:
            raise NoShadowNight(
                "no order was made in shadow mode yet: set rollout.mode = 'shadow' (or an "
                "override) and run a night"
            )
        recorded = uow.runs.get(run_id)
        lines = pd.DataFrame(uow.orders.shadow_lines(run_id))
    if recorded is None or lines.empty:
        raise NoShadowNight(f"run {run_id[:8]} made no order in shadow mode")
    return ShadowNight(run_id, recorded.as_of, recorded.source, lines)


def _recorded_extract(source: str) -> Source:
    """The folder the shadow night read, if it is still there."""
    if Path(source).is_dir():
        return CsvFolderSource(Path(source))
    raise NoShadowNight(
        f"the shadow night's extract ({source}) is not a folder here any more: give "
        "--baseline DIR, the extract that night read, so the buyers' new orders can be told "
        "from the ones already open"
    )


def _tables(source: Source, as_of: Any, rules: ValidationRules) -> dict[str, pd.DataFrame]:
    """The extract's validated tables: a quarantined row is no buyer's order either."""
    return validate(source.read().frames, as_of=as_of, rules=rules).tables


def _prices(tables: dict[str, pd.DataFrame], base: str) -> pd.DataFrame:
    items = tables["items"][[*_KEY, "supplier_id", "unit_cost"]].drop_duplicates(_KEY)
    currency = tables["suppliers"][["supplier_id", "currency"]].drop_duplicates("supplier_id")
    priced = items.merge(currency, on="supplier_id", how="left")
    priced["currency"] = priced["currency"].replace("", None).fillna(base)
    return priced[[*_KEY, "unit_cost", "currency"]]
