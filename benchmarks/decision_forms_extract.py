"""The extract of the decision-forms benchmark: exactly N orders wait for a buyer.

The sample extract, reshaped: each of the N busiest item-locations gets a supplier of its
own, listed in `always_review_suppliers`, with no stock and no open order, so each makes
exactly one order that waits; every other item-location buys from one bulk supplier
whose orders go to the ERP (line flags only inform, no other order-level flag).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

from cli.sample_data import write_sample_data

BUYER = "buyer@example.com"
AS_OF = date.today()  # the extract is fresh: the quality gate refuses a stale one


def one_buyer_extract(folder: Path, orders: int, approvers: int = 1) -> None:
    """The sample extract, reshaped so that exactly `orders` orders wait for a buyer
    (`approvers` buyers in turn)."""
    write_sample_data(folder, items=max(40, orders), seed=7, dirty=0.0, as_of=AS_OF)
    items = pd.read_csv(folder / "items.csv", dtype=str)
    demand = pd.concat(pd.read_csv(p, dtype=str) for p in folder.glob("demand*.csv"))
    sold = demand.assign(q=pd.to_numeric(demand["quantity"])).groupby(["sku", "location"])["q"]
    busiest = sold.sum().sort_values(ascending=False).index[:orders]
    waiting = items.set_index(["sku", "location"]).index.isin(busiest)
    own = [f"SUP-W{i:03d}" for i in range(orders)]
    items["supplier_id"] = "SUP-BULK"
    items.loc[waiting, "supplier_id"] = own
    items.to_csv(folder / "items.csv", index=False)
    suppliers = pd.DataFrame({"supplier_id": ["SUP-BULK", *own]})
    suppliers["name"] = "Supplier " + suppliers["supplier_id"]
    suppliers["min_order_value"] = 0
    suppliers["currency"] = "EUR"
    suppliers.to_csv(folder / "suppliers.csv", index=False)
    stock = pd.read_csv(folder / "stock.csv", dtype=str)
    stock["on_hand"] = "0"
    stock.to_csv(folder / "stock.csv", index=False)
    (folder / "open_orders.csv").write_text("order_ref,sku,location,quantity,due_date\n")
    # Only those suppliers' orders wait: line flags inform, no other order-level flag.
    flags = (
        "[flags]\nalways_review_suppliers = " + json.dumps(own) + "\n"
        "review_min_money_at_stake = 1e12\nunusual_order = false\n"
        "below_min_order_value = false\n"
    )
    routes = ", ".join(
        f'"{supplier}" = "buyer{i % approvers}@example.com"' for i, supplier in enumerate(own)
    )
    by_supplier = f"by_supplier = {{ {routes} }}\n" if approvers > 1 else ""
    (folder.parent / "config.toml").write_text(
        flags + f'[approvals]\ndefault_approver = "{BUYER}"\n' + by_supplier
    )
