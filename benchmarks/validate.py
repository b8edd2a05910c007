"""Extract and validate a dirty demand file, side by side with a plain `pandas.read_csv`.

The reader sees the gate's verdicts next to the figures, so a fast run that quietly
accepted everything would show.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

import dataquality
from benchmarks.dirty_extract import AS_OF, DEMAND_FILE, DIRTY_SHARE, write_dirty_folder
from benchmarks.harness import Options, Report, Row, Step, measure, measure_once, progress
from integrations.sources.csv_folder import read_csv_folder

FULL_ROWS, QUICK_ROWS = 1_000_000, 100_000


# --- the measured steps (module level: the spawned child imports them by name) --------


def generate(out_dir: Path, rows: int) -> tuple[Path, int]:
    """Set-up of the data step: nothing to load."""
    return out_dir, rows


def run_generate(args: tuple[Path, int]) -> dict[str, Any]:
    return write_dirty_folder(*args)


def load_path(folder: Path) -> Path:
    return folder


def run_read_csv(folder: Path) -> dict[str, Any]:
    frame = pd.read_csv(folder / DEMAND_FILE)
    return {"rows": len(frame)}


def run_read_csv_text(folder: Path) -> dict[str, Any]:
    # what our extract asks pandas for: every cell as text, each distinct string once
    frame = pd.read_csv(folder / DEMAND_FILE, dtype="category", keep_default_na=False)
    return {"rows": len(frame)}


def run_extract(folder: Path) -> dict[str, Any]:
    raw = read_csv_folder(folder)
    return {"rows": {kind: len(frame) for kind, frame in raw.frames.items()}}


def run_extract_validate(folder: Path) -> dict[str, Any]:
    start = time.perf_counter()
    raw = read_csv_folder(folder)
    extracted = time.perf_counter()
    result = dataquality.validate(raw.frames, as_of=AS_OF, rules=dataquality.ValidationRules())
    done = time.perf_counter()
    counts = result.counts.set_index("file")
    return {
        "extract_s": extracted - start,
        "validate_s": done - extracted,
        "counts": {
            str(file): {k: int(row[k]) for k in ("read", "accepted", "repaired", "quarantined")}
            | {"top_reasons": str(row["top_reasons"])}
            for file, row in counts.iterrows()
        },
        "issues": len(result.issues),
        "clean_demand_rows": len(result.tables["demand"]),
    }


# --- the benchmark ---------------------------------------------------------------------


def benchmark(options: Options) -> Report:
    """Plain read_csv, our extract, our extract + validate, on one dirty folder."""
    rows = QUICK_ROWS if options.quick else FULL_ROWS
    report = Report(
        "validate",
        f"{rows:,}-row demand file, {DIRTY_SHARE:.0%} dirty rows",
        "rows",
    )
    work = Path(tempfile.mkdtemp(prefix="replenish-bench-validate-"))
    try:
        folder = work / "extract"
        progress(f"validate: writing {rows:,} demand rows to {folder} ...")
        written = measure_once(Step("generate", generate, run_generate, (folder, rows)))
        plain, text, extract, full = measure(
            [
                Step("pandas.read_csv (defaults)", load_path, run_read_csv, (folder,)),
                Step("pandas.read_csv (categories)", load_path, run_read_csv_text, (folder,)),
                Step("ours: extract (read_csv_folder)", load_path, run_extract, (folder,)),
                Step("ours: extract + validate", load_path, run_extract_validate, (folder,)),
            ],
            options.repeat,
        )
        size_mb = (folder / DEMAND_FILE).stat().st_size / 1024 / 1024
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report.rows = [Row(m, rows, plain) for m in (plain, text, extract, full)]
    info = written.info
    demand = full.info["counts"][DEMAND_FILE]
    report.facts += [
        ("data", f"{rows:,} demand rows ({size_mb:,.0f} MB), {info['item_locations']:,} "
                 f"item-locations, written in {written.wall_s:.1f} s"),
        ("dirt written", ", ".join(f"{k} {v:,}" for k, v in info["dirt"].items())),
        ("inside the last step", f"extract {full.info['extract_s']:.2f} s + validate "
                                 f"{full.info['validate_s']:.2f} s"),
    ]  # fmt: skip
    for file, c in full.info["counts"].items():
        report.facts.append(
            (
                f"verdicts {file}",
                f"read {c['read']:,} = accepted {c['accepted']:,} + repaired {c['repaired']:,}"
                f" + quarantined {c['quarantined']:,}",
            )
        )
    report.facts.append(("top quarantine reasons", demand["top_reasons"] or "-"))
    report.notes.append(
        "rows/s counts the demand file's rows; extract and validate also read the small "
        "items, suppliers and stock files."
    )
    report.notes.append(
        "a conflicting copy quarantines the row it contradicts too, so quarantined + "
        "repaired can exceed the dirty rows written."
    )
    return report
