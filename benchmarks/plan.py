"""Planning a large catalogue next to the bare order-up-to arithmetic in numpy.

The bare side is what a spreadsheet-minded script would do with arrays already aligned
per item-location: position, target - position, up to whole packs, up to the MOQ,
down to the cap. Ours adds everything a buyer and the ERP need on top: joins by key,
open orders by due date, the explanation sentence of every line, constraint labels,
one purchase order per supplier and location with its idempotency key, and the review
flags. The ratio is the price of those; the quantities must agree, and the report says
whether they do.
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import purchasing
from benchmarks.harness import Options, Report, Row, Step, measure, measure_once, progress
from benchmarks.plan_inputs import AS_OF, FloatArray, aligned_arrays, synthetic_frames
from benchmarks.review_load import review_figures
from flags import flag_orders
from purchasing.currency import Currencies

FULL_LINES, QUICK_LINES = 100_000, 20_000
# A fifth of the synthetic suppliers invoice in dollars: limits in EUR need a rate.
RATES = Currencies(rates={"USD": 0.92})


def bare_order_quantities(a: dict[str, FloatArray]) -> FloatArray:
    """Order-up-to in plain numpy: no labels, no sentences, no grouping."""
    on_hand = a["on_hand"]
    position = np.maximum(on_hand, 0.0) + a["on_order"] - np.maximum(-on_hand, 0.0)
    shortfall = np.nan_to_num(a["target"] - position, nan=0.0)
    short = shortfall > 1e-6
    pack = np.maximum(a["pack"], 1.0)
    packed = np.maximum(np.ceil(np.round(shortfall / pack, 6)) * pack, pack)
    smallest = np.maximum(pack, np.ceil(np.round(np.nan_to_num(a["moq"]) / pack, 6)) * pack)
    cap = a["cap"]
    cap = np.where(
        np.isnan(cap), np.inf, np.maximum(np.floor(np.round(cap / pack, 6)) * pack, smallest)
    )
    return np.where(short, np.minimum(np.maximum(packed, smallest), cap), 0.0)


# --- the measured steps ----------------------------------------------------------------


def setup_data(args: tuple[Path, int]) -> tuple[Path, int]:
    return args


def run_data(args: tuple[Path, int]) -> dict[str, Any]:
    work, n = args
    frames = synthetic_frames(n)
    with (work / "frames.pkl").open("wb") as out:
        pickle.dump(frames, out, protocol=pickle.HIGHEST_PROTOCOL)
    with (work / "arrays.pkl").open("wb") as out:
        pickle.dump(aligned_arrays(frames), out, protocol=pickle.HIGHEST_PROTOCOL)
    return {name: len(frame) for name, frame in frames.items()}


def load_frames(work: Path) -> dict[str, pd.DataFrame]:
    with (work / "frames.pkl").open("rb") as source:
        frames: dict[str, pd.DataFrame] = pickle.load(source)
    return frames


def run_ours(f: dict[str, pd.DataFrame]) -> dict[str, Any]:
    start = time.perf_counter()
    lines = purchasing.plan_lines(
        f["forecast"], f["items"], f["stock"], f["open_orders"], as_of=AS_OF
    )
    planned = time.perf_counter()
    order_up_to = lines["order_qty"].to_numpy(dtype=float, copy=True)
    orders, lines = purchasing.group_orders(lines, f["suppliers"], as_of=AS_OF)
    grouped = time.perf_counter()
    flags = flag_orders(lines, orders, f["forecast"], f["quarantined_items"], currencies=RATES)
    flagged = time.perf_counter()
    review = review_figures(lines, orders, flags, RATES)
    return {
        "lines": len(lines),
        "lines_to_buy": int((lines["order_qty"] > 0).sum()),
        "orders": len(orders),
        "flags": flags["code"].value_counts().to_dict(),
        "flagged_orders": int(flags["po_key"].nunique()),
        "seconds": {
            "plan_lines": planned - start,
            "group_orders": grouped - planned,
            "flag_orders": flagged - grouped,
            "capacity + split + decisions": time.perf_counter() - flagged,
        },
        "review": review,
        # what plan_lines computed, before the supplier's order terms: the bare comparison
        "order_qty": order_up_to,
        "held": _counts(lines, "hold"),
        "constraints": _counts(lines, "constraints"),
    }


def _review_text(review: dict[str, Any]) -> str:
    passed = review["passed_on"]
    return (
        f"{review['lines_auto_share']:.1%} of lines and {review['value_auto_share']:.1%} of "
        f"value auto-approved; decisions per approver {review['decisions']} (capacity "
        f"{review['capacity']}); {review['held_lines_explained']:,} of "
        f"{review['held_lines']:,} held lines with code, sentence and money at stake; "
        f"{passed['lines']:,} lines passed on for capacity"
    )


def _counts(lines: pd.DataFrame, column: str) -> dict[str, int]:
    """Non-empty labels of a ';'-joined column and how many lines carry each."""
    if column not in lines:
        return {}
    labels = lines[column].fillna("").astype(str).str.split(";").explode()
    return {str(k): int(v) for k, v in labels[labels != ""].value_counts().items()}


def load_arrays(work: Path) -> dict[str, FloatArray]:
    with (work / "arrays.pkl").open("rb") as source:
        arrays: dict[str, FloatArray] = pickle.load(source)
    return arrays


def run_bare(arrays: dict[str, FloatArray]) -> dict[str, Any]:
    quantities = bare_order_quantities(arrays)
    return {"lines": len(quantities), "order_qty": quantities}


# --- the benchmark ---------------------------------------------------------------------


def benchmark(options: Options) -> Report:
    """plan_lines + group_orders + flag_orders next to bare numpy on the same items."""
    n = QUICK_LINES if options.quick else FULL_LINES
    work = Path(tempfile.mkdtemp(prefix="replenish-bench-plan-"))
    try:
        progress(f"plan: synthetic frames for {n:,} item-locations ...")
        data = measure_once(Step("data", setup_data, run_data, ((work, n),)))
        bare, ours = measure(
            [
                Step("bare numpy order-up-to", load_arrays, run_bare, (work,)),
                Step("ours: plan + group + flag", load_frames, run_ours, (work,)),
            ],
            options.repeat,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ours_qty = ours.info.pop("order_qty")
    bare_qty = bare.info.pop("order_qty")
    agree = int(np.isclose(ours_qty, bare_qty, rtol=0, atol=1e-9).sum())
    report = Report("plan", f"{n:,} item-locations", "lines")
    report.rows = [Row(bare, bare.info["lines"]), Row(ours, ours.info["lines"], bare)]
    seconds = ours.info["seconds"]
    report.facts += [
        ("inside ours", ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items())),
        ("plan", f"{ours.info['lines']:,} lines, {ours.info['lines_to_buy']:,} to buy, "
                 f"{ours.info['orders']:,} purchase orders, {ours.info['flagged_orders']:,} "
                 "of them flagged"),
        ("flags", ", ".join(f"{k} {v:,}" for k, v in ours.info["flags"].items()) or "none"),
        ("reaches a person", _review_text(ours.info["review"])),
        ("quantities agree", f"{agree:,} of {len(ours_qty):,} lines (plan_lines vs bare numpy, "
                             "before the suppliers' order days and minimum order values)"),
        ("terms applied", ", ".join(f"{k} {v:,}" for k, v in ours.info["constraints"].items())),
        ("lines held", ", ".join(f"{k} {v:,}" for k, v in ours.info["held"].items()) or "none"),
        ("data", ", ".join(f"{k} {v:,} rows" for k, v in data.info.items())
                 + f"; made in {data.wall_s:.1f} s"),
    ]  # fmt: skip
    report.notes.append(
        "bare starts from arrays already aligned per item-location (stock and open orders "
        "joined outside the measurement); ours does those joins itself."
    )
    return report
