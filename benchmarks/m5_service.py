"""Service against inventory on real demand: `replenish simulate` on the M5 subset.

280 Walmart item-store series (daily unit sales, stratified by demand class; see the
data's README) are written as a replenish extract and replayed with the product's own
forecasts (refitted every --refit-every days), policy and constraints, beside the
spreadsheet min/max. The data carry no lead times or costs; this benchmark states them:

- lead time 7 days for every item (weekly store deliveries), review period 7 days;
- unit cost per category: FOODS 3.00, HOUSEHOLD 6.00, HOBBIES 8.00 (EUR);
- pack size 1, no MOQ, unmet demand lost; the last 730 days of history plus the 28-day
  M5 test window, so the replay covers the final year after a one-year first window.

`python -m benchmarks.m5_service [--refit-every DAYS] [--out DIR]`; skips (exit 0 with a
note) when `../shared/data/m5_tiny280` is absent.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from pathlib import Path

import pandas as pd

from domain.money import format_amount

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "m5_tiny280"
UNIT_COST = {"FOODS": 3.0, "HOUSEHOLD": 6.0, "HOBBIES": 8.0}
LEAD_TIME_DAYS, REVIEW_DAYS, HISTORY_DAYS = 7, 7, 730
AS_OF = "2016-04-25"  # the day after the M5 test window (d_1886-1913, the data README)
DEFAULT_TARGET = 0.95


def write_extract(out: Path) -> Path:
    """The M5 subset as a replenish CSV folder (items, suppliers, demand, stock)."""
    meta = pd.read_csv(DATA / "m5_tiny280_meta.csv.gz")
    demand = pd.concat(
        [pd.read_csv(DATA / f"m5_tiny280_{part}.csv.gz") for part in ("train", "test")]
    )
    demand["ds"] = pd.to_datetime(demand["ds"])
    start = pd.Timestamp(AS_OF) - pd.Timedelta(days=HISTORY_DAYS + 28)
    demand = demand.loc[demand["ds"] >= start].merge(meta[["unique_id", "item_id", "store_id"]])
    folder = out / "m5-extract"
    folder.mkdir(parents=True, exist_ok=True)
    items = meta.assign(
        sku=meta["item_id"], location=meta["store_id"], supplier_id="SUP-" + meta["cat_id"],
        unit_cost=meta["cat_id"].map(UNIT_COST), pack_size=1, moq=0,
        lead_time_days=LEAD_TIME_DAYS, review_period_days=REVIEW_DAYS, category=meta["cat_id"],
    )  # fmt: skip
    items[["sku", "location", "supplier_id", "unit_cost", "pack_size", "moq", "lead_time_days",
           "review_period_days", "category"]].to_csv(folder / "items.csv", index=False)  # fmt: skip
    suppliers = pd.DataFrame({"supplier_id": sorted(set(items["supplier_id"]))})
    suppliers.assign(name=suppliers["supplier_id"], currency="EUR").to_csv(
        folder / "suppliers.csv", index=False
    )
    sold = demand.loc[demand["y"] > 0]
    rows = sold.assign(
        sku=sold["item_id"], location=sold["store_id"],
        date=sold["ds"].dt.strftime("%Y-%m-%d"), quantity=sold["y"],
    )  # fmt: skip
    rows[["sku", "location", "date", "quantity"]].to_csv(folder / "demand.csv", index=False)
    items.assign(on_hand=0)[["sku", "location", "on_hand"]].to_csv(
        folder / "stock.csv", index=False
    )
    return folder


def run(refit_every: float, out: Path) -> dict[str, object]:
    from cli.main import main

    folder = write_extract(out)
    plot = out / "m5-service-curve.svg"
    argv = [
        "simulate", "--source", str(folder), "--as-of", AS_OF, "--json", "--estimates",
        "engine", "--refit-every", str(refit_every), "--plot", str(plot),
    ]  # fmt: skip
    captured = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(captured):
        code = main(argv)
    if code != 0:
        raise RuntimeError(f"replenish simulate failed with exit code {code}")
    result: dict[str, object] = json.loads(captured.getvalue())
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def report(result: dict[str, object]) -> str:
    policy, baseline = result["policy"], result["baseline"]
    assert isinstance(policy, dict)
    assert isinstance(baseline, dict)
    curve = result["curve"]
    assert isinstance(curve, dict)
    at_target = policy["fill_rate_of_fill_rate_series"]
    lines = [
        f"M5 subset: {policy['series']} series, {policy['periods']:,} series-days replayed "
        f"in {result['seconds']} s (engine refits; plot {result['plot']})",
        f"  at the default target {DEFAULT_TARGET:.0%}: fill rate {policy['fill_rate']:.3f} "
        f"overall, {at_target:.3f} on the {policy['fill_rate_series']} fill-rate series "
        f"(within 3 points: {abs(at_target - DEFAULT_TARGET) <= 0.03}); cycle service level "
        f"{policy['cycle_service_level']:.3f}; avg inventory value "
        f"{format_amount(policy['avg_inventory_value'])}",
        f"  spreadsheet min/max: fill rate {baseline['fill_rate']:.3f}, cycle service level "
        f"{baseline['cycle_service_level']:.3f}, avg inventory value "
        f"{format_amount(baseline['avg_inventory_value'])}",
        f"  policy curve dominates the baseline's: {result['curve_dominates']}",
        "  target   policy fill / CSL / inventory      baseline fill / CSL / inventory",
    ]
    for p, b in zip(curve["policy"], curve["baseline"], strict=True):
        lines.append(
            f"  {p['service_target']:>5.0%}   {p['fill_rate']:.3f} / {p['cycle_service_level']:.3f}"
            f" / {format_amount(p['avg_inventory_value']):>9}      {b['fill_rate']:.3f} / "
            f"{b['cycle_service_level']:.3f} / {format_amount(b['avg_inventory_value']):>9}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.m5_service")
    parser.add_argument("--refit-every", type=float, default=28.0, metavar="DAYS")
    parser.add_argument("--out", type=Path, default=Path("/tmp/replenish-bench-m5"))
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"m5_service: skipped, {DATA} is absent")
        return 0
    result = run(args.refit_every, args.out)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
