"""`python -m benchmarks frames [--series N]`: the frame schema checks alone, at night size.

Every stage checks the frames it builds against `contracts.frame_schemas` before handing
them on (docs/frames.md), so the checks run on every night. This measures what they cost
on frames the size of an N item-location night (default 10,000): the pure pipeline runs
once on a small sample catalogue (validate, forecast, plan, group, flag), then each frame
is repeated under renamed keys until it has as many rows as the night's would (the
validated demand about 420 rows per item-location, the path one per step), and each check
is timed on it, the best of a few runs. The whole night's share is measured by the night
benchmark (`frame checks` in its facts), on the real frames.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.harness import Options, Report, Row, Step, measure_once, progress
from benchmarks.report import Measurement

DEFAULT_SERIES, QUICK_SERIES = 10_000, 1_000
SAMPLE_ITEMS = 60  # about 120 item-locations: a forecast of seconds, every demand class
SEED = 3
AS_OF = date(2026, 12, 1)
RUNS = 5


def load_frames(series: int) -> list[tuple[str, Any, Any]]:
    """(label, schema, frame) per check a night makes, each frame at `series` item-locations."""
    import pandas as pd

    from cli.sample_data import write_sample_data
    from contracts import frame_schemas as schemas
    from dataquality import validate
    from flags import flag_orders
    from forecasting import forecast_demand
    from integrations.sources.csv_folder import read_csv_folder
    from purchasing import group_orders, plan_lines
    from settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="replenish-bench-frames-"))
    try:
        write_sample_data(folder, items=SAMPLE_ITEMS, seed=SEED, as_of=AS_OF)
        settings = Settings()
        checked = validate(read_csv_folder(folder).frames, as_of=AS_OF, rules=settings.validation)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    t = checked.tables
    forecast = forecast_demand(t["demand"], t["items"], as_of=AS_OF, params=settings.forecast)
    lines = plan_lines(forecast.summary, t["items"], t["stock"], t["open_orders"], as_of=AS_OF,
                       params=settings.policy)  # fmt: skip
    orders, lines = group_orders(lines, t["suppliers"], as_of=AS_OF, params=settings.policy)
    flags = flag_orders(lines, orders, forecast.summary, checked.quarantined_items,
                        settings.flags, currencies=settings.currency)  # fmt: skip
    copies = math.ceil(series / max(1, len(forecast.summary)))

    def grown(frame: pd.DataFrame, keys: tuple[str, ...] = ("sku",)) -> pd.DataFrame:
        """`frame` `copies` times, each copy's keys renamed so the rows stay unique."""
        parts = []
        for n in range(copies):
            part = frame.copy()
            for name in keys:
                renamed = part[name].astype(object) + f"~{n}"
                part[name] = renamed.where(part[name].notna(), None)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    frames = [
        *((f"validated {kind}", schemas.VALIDATED[kind],
           t[kind] if kind == "suppliers" else grown(t[kind])) for kind in schemas.VALIDATED),
        ("counts", schemas.COUNTS, checked.counts),
        ("forecast summary", schemas.FORECAST_SUMMARY, grown(forecast.summary)),
        ("forecast path", schemas.FORECAST_PATH, grown(forecast.path)),
        ("plan lines", schemas.PLAN_LINES, grown(lines)),
        ("orders", schemas.ORDERS, grown(orders, ("po_key",))),
        ("flags", schemas.FLAGS, grown(flags, ("po_key", "sku"))),
    ]  # fmt: skip
    return [(label, schema, frame) for label, schema, frame in frames]


def setup_checks(series: int) -> list[tuple[str, Any, Any]]:
    return load_frames(series)


def run_checks(frames: list[tuple[str, Any, Any]]) -> dict[str, Any]:
    """Each frame's check, the best of `RUNS` wall times (the machine is shared)."""
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    rows: dict[str, int] = {}
    for label, schema, frame in frames:
        best = (math.inf, math.inf)
        for _ in range(RUNS):
            wall0, cpu0 = time.perf_counter(), time.process_time()
            schema.check(frame)
            best = min(best, (time.perf_counter() - wall0, time.process_time() - cpu0))
        seconds[label], cpu[label], rows[label] = *best, len(frame)
    return {"seconds": seconds, "cpu": cpu, "rows": rows}


def benchmark(options: Options) -> Report:
    """The checks of one night, each timed alone on frames of the night's size."""
    series = options.series or (QUICK_SERIES if options.quick else DEFAULT_SERIES)
    progress(f"frames: building frames for {series:,} item-locations ...")
    measured = measure_once(Step("frame checks", setup_checks, run_checks, (series,)))
    seconds, rows = measured.info["seconds"], measured.info["rows"]
    cpu = measured.info["cpu"]
    report = Report(
        "frames", f"the frame schema checks of one night, frames of {series:,} item-locations",
        "rows",
    )  # fmt: skip
    for label, wall in seconds.items():
        m = Measurement(f"  {label}", wall, cpu[label], 0.0, 0.0, "-", 0.0)
        report.rows.append(Row(m, rows[label]))
    total = sum(seconds.values())
    all_cpu = sum(cpu.values())
    report.rows.append(Row(Measurement("all checks", total, all_cpu, 0.0, 0.0, "-", 0.0),
                           sum(rows.values())))  # fmt: skip
    report.facts += [
        ("all checks", f"{total * 1000:,.0f} ms for one night's frames "
                       f"({sum(rows.values()):,} rows)"),
        ("set-up", f"{measured.setup_s:,.0f} s (sample pipeline, frames grown)"),
    ]  # fmt: skip
    report.notes += [
        "wall s / cpu s: the best of 5 runs of the check alone; peak MB is not measured here.",
        "Compare with the night's run_seconds (benchmark night): the share the issue bounds "
        "is all checks / the night's wall time (< 3%).",
    ]
    report.figures = {"series": series, "check_seconds": seconds, "rows": rows,
                      "all_checks_seconds": total}  # fmt: skip
    return report
