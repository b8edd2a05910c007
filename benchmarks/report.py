"""A benchmark's report: its table rows, facts, notes and machine-readable figures.

Kept apart from the measuring (`benchmarks.harness`): the table and the JSON are what a
reader compares between runs, the child processes are how the figures are taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Measurement:
    """What one step cost, in the child process that ran it."""

    label: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float  # resident high-water mark while the step ran (inputs included)
    rss_before_mb: float  # resident after imports and inputs, before the step
    peak_source: str  # "VmHWM" (reset before the step) or "ru_maxrss" (whole process)
    setup_s: float
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def added_mb(self) -> float:
        """Memory the step itself needed on top of its loaded inputs."""
        return max(0.0, self.peak_rss_mb - self.rss_before_mb)


@dataclass(frozen=True)
class Row:
    """One line of a benchmark's table: a measurement and what it is compared with."""

    measurement: Measurement
    units: float  # rows, series or lines the step processed
    baseline: Measurement | None = None  # the plain-library step of the ratio


@dataclass
class Report:
    """One benchmark's figures: the table rows, facts and notes printed under it."""

    name: str
    title: str
    unit: str  # "rows", "series", "lines"
    rows: list[Row] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Machine-readable figures a benchmark promises by name (the night's `run_seconds`,
    # ...): written into its JSON object beside the steps.
    figures: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """All figures, for `--json`: raw seconds and megabytes, no formatting."""
        return {
            "name": self.name,
            "title": self.title,
            "unit": self.unit,
            "steps": [
                {
                    **asdict(row.measurement),
                    "units": row.units,
                    "units_per_second": _rate(row.units, row.measurement.wall_s),
                    "added_mb": row.measurement.added_mb,
                    "baseline": row.baseline.label if row.baseline else None,
                    "wall_ratio": _ratio(row.measurement.wall_s, row.baseline, "wall_s"),
                    "cpu_ratio": _ratio(row.measurement.cpu_s, row.baseline, "cpu_s"),
                    "peak_ratio": _ratio(row.measurement.peak_rss_mb, row.baseline, "peak_rss_mb"),
                }
                for row in self.rows
            ],
            "facts": dict(self.facts),
            "notes": self.notes,
            **self.figures,
        }


def _rate(units: float, seconds: float) -> float | None:
    return units / seconds if seconds > 0 else None


def _ratio(value: float, baseline: Measurement | None, name: str) -> float | None:
    if baseline is None:
        return None
    base = float(getattr(baseline, name))
    return value / base if base > 0 else None


def _seconds(value: float) -> str:
    return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"


def _fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def render(report: Report) -> str:
    """A plain-text table: one line per step, then the facts and notes."""
    header = (
        "step",
        f"{report.unit}/s",
        "wall s",
        "cpu s",
        "peak MB",
        "+MB",
        "wall vs",
        "cpu vs",
        "peak vs",
    )
    body = []
    for row in report.rows:
        m = row.measurement
        rate = _rate(row.units, m.wall_s)
        body.append(
            (
                m.label,
                "-" if rate is None else f"{rate:,.0f}",
                _seconds(m.wall_s),
                _seconds(m.cpu_s),
                f"{m.peak_rss_mb:,.0f}",
                f"{m.added_mb:,.0f}",
                _fmt_ratio(_ratio(m.wall_s, row.baseline, "wall_s")),
                _fmt_ratio(_ratio(m.cpu_s, row.baseline, "cpu_s")),
                _fmt_ratio(_ratio(m.peak_rss_mb, row.baseline, "peak_rss_mb")),
            )
        )
    widths = [max(len(str(line[i])) for line in (header, *body)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join((first, *rest)).rstrip()

    rule = "-" * len(line(header))
    out = [f"== {report.name}: {report.title}", rule, line(header), rule]
    out += [line(cells) for cells in body]
    out.append(rule)
    baselines = {row.baseline.label for row in report.rows if row.baseline}
    if baselines:
        out.append(f"'vs' = ratio to {' / '.join(sorted(baselines))} (1.00x = same cost)")
    label_width = max((len(label) for label, _ in report.facts), default=0)
    out += [f"{label.ljust(label_width)}  {value}" for label, value in report.facts]
    out += [f"note: {note}" for note in report.notes]
    return "\n".join(out)
