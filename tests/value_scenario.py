"""A multi-night scenario on generated data, for the value report (issue 23): nights a
week apart, each with its own extract, the demand and deliveries that followed the
orders, and a scripted buyer who changes quantities.

- Night 1 is `replenish sample-data`; each later extract is the previous one moved on a
  week: demand drawn for the days in between, stock counted down by it (lost sales) and
  up by the deliveries due (the extract's open orders and our own submitted orders, at
  their expected delivery), `stock_history.csv` with every simulated day, and our orders
  not delivered yet in `open_orders.csv` under their own keys, as an ERP would list them.
- The demand that follows differs from the history by category: Safety sells 60% more,
  Fasteners half as much. The scripted buyer knows it: on every order waiting for them
  they move Safety and Fasteners lines by that change of the forecast demand over the
  line's protection interval (in whole packs), so most of their changes should prove
  right against the demand that followed (pack rounding makes some overshoot).
- Each night is the real nightly flow (`flows.nightly.nightly_replenishment`).

Run it by hand (the README's example report):
    PYTHONPATH=. .venv/bin/python tests/value_scenario.py /tmp/value-demo --nights 4
then `replenish report` in that folder (the script prints the exact command).
"""

from __future__ import annotations

import argparse
import os
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from cli.sample_data.extract import write_sample_data

FACTOR = {"Safety": 1.6, "Fasteners": 0.5}
KEYS = ["sku", "location"]
STEP_DAYS = 7


@dataclass
class Shelf:
    """The simulated truth between extracts: stock per item-location, demand rates."""

    stock: pd.DataFrame  # sku, location, on_hand, rate, category, pack_size
    history: pd.DataFrame  # sku, location, date, on_hand (every simulated day)


def first_extract(folder: Path, as_of: date, items: int, seed: int) -> Shelf:
    """Night 1's extract (sample data) and the shelf it describes."""
    write_sample_data(folder, items=items, seed=seed, dirty=0.0, as_of=as_of)
    items_frame = pd.read_csv(folder / "items.csv")
    stock = pd.read_csv(folder / "stock.csv")[[*KEYS, "on_hand"]]
    demand = pd.concat([pd.read_csv(f) for f in sorted(folder.glob("demand_*.csv"))])
    recent = demand[pd.to_datetime(demand["date"]) >= pd.Timestamp(as_of - timedelta(days=56))]
    rate = (recent.groupby(KEYS)["quantity"].sum() / 56).rename("rate")
    shelf = items_frame[[*KEYS, "category", "pack_size"]].merge(stock, on=KEYS, how="left")
    shelf = shelf.join(rate, on=KEYS).fillna({"rate": 0.0, "on_hand": 0})
    shelf["on_hand"] = shelf["on_hand"].clip(lower=0).astype(int)
    shelf["rate"] = shelf["rate"] * shelf["category"].map(FACTOR).fillna(1.0)
    return Shelf(shelf, pd.DataFrame(columns=[*KEYS, "date", "on_hand"]))


def next_extract(
    previous: Path,
    folder: Path,
    shelf: Shelf,
    start: date,
    our_orders: pd.DataFrame,
    rng: np.random.Generator,
) -> date:
    """The extract of the night STEP_DAYS after `start`: returns its date."""
    end = start + timedelta(days=STEP_DAYS)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("items.csv", "suppliers.csv", "demand_web.csv"):
        shutil.copy(previous / name, folder / name)
    extract_open = pd.read_csv(previous / "open_orders.csv")
    ours = our_orders.rename(columns={"po_key": "order_ref", "expected_delivery": "due_date"})
    arriving = pd.concat([extract_open[~extract_open["order_ref"].isin(ours["order_ref"])], ours])
    arriving["due"] = pd.to_datetime(arriving["due_date"]).clip(lower=pd.Timestamp(start))
    stock = shelf.stock
    new_demand, days = [], []
    for offset in range(STEP_DAYS):
        day = pd.Timestamp(start + timedelta(days=offset))
        due = arriving[arriving["due"] == day].groupby(KEYS)["quantity"].sum()
        stock["on_hand"] += stock.join(due.rename("in"), on=KEYS)["in"].fillna(0).astype(int)
        days.append(stock[KEYS].assign(date=day.date().isoformat(), on_hand=stock["on_hand"]))
        qty = rng.poisson(stock["rate"].to_numpy())
        stock["on_hand"] = (stock["on_hand"] - qty).clip(lower=0)
        sold = stock[KEYS].assign(date=day.date().isoformat(), quantity=qty, channel="pos")
        new_demand.append(sold[sold["quantity"] > 0])
    shelf.history = pd.concat([shelf.history, *days], ignore_index=True)
    demand = pd.concat([pd.read_csv(previous / "demand_pos.csv"), *new_demand])
    demand.to_csv(folder / "demand_pos.csv", index=False)
    stock[[*KEYS, "on_hand"]].assign(as_of=end.isoformat()).to_csv(
        folder / "stock.csv", index=False
    )
    shelf.history.to_csv(folder / "stock_history.csv", index=False)
    still_open = arriving[arriving["due"] >= pd.Timestamp(end)].drop(columns=["due"])
    still_open.to_csv(folder / "open_orders.csv", index=False)
    return end


def buyer_quantities(lines: pd.DataFrame) -> dict[str, Decimal]:
    """The scripted buyer's quantities for one order's lines (sku, category, proposed,
    forecast, pack_size): the proposal moved by the demand change the buyer expects over
    the line's protection interval, in whole packs, never below one pack."""
    changed: dict[str, Decimal] = {}
    for row in lines.itertuples(index=False):  # one order's lines: a handful
        factor = FACTOR.get(str(row.category))
        if factor is None:
            continue
        pack = max(int(row.pack_size), 1)
        wanted = float(row.proposed) + (factor - 1.0) * float(row.forecast)
        quantity = Decimal(max(1, round(wanted / pack)) * pack)
        if quantity != Decimal(str(row.proposed)):
            changed[str(row.sku)] = quantity
    return changed


def main() -> None:  # pragma: no cover - the README's example, run by hand
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--nights", type=int, default=4)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--start", default="2026-11-02")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.chdir(args.out)
    os.environ.setdefault("REPLENISH_DATABASE_URL", f"sqlite:///{args.out.resolve()}/replenish.db")
    from value_nights import run_scenario

    last = run_scenario(Path("."), date.fromisoformat(args.start), args.nights, args.items,
                        args.seed)  # fmt: skip
    print(f"cd {args.out} && REPLENISH_DATABASE_URL={os.environ['REPLENISH_DATABASE_URL']} "
          f"replenish report --until {last} --weeks {args.nights + 1}")  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    main()
