"""One stored run in words (`replenish runs show`).

A night that ended with its summary is printed by the renderer the night itself used
(`run_summary_text.render_text`): the operator reads the same lines in the morning.
Runs that never wrote one (still running, crashed) and the flows beside the night
(submission, deadlines, monitoring: their own smaller summaries) get a few lines of
their own; a monitoring night adds its accuracy per segment.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from contracts.run_summary import summary_from_json
from services.run_reports import NIGHTLY, RunReport
from services.run_summary_text import render_text

#: The keys a nightly run's summary always has (contracts/run_summary.py).
NIGHT_SUMMARY_KEYS = ("rows", "series", "orders", "flags", "outputs")
TITLES = {
    NIGHTLY: "Nightly run",
    "submit-approved": "Submission run",
    "chase-deadlines": "Deadline run",
    "monitoring": "Monitoring run",
}


def render_report(report: RunReport) -> str:
    summary = report.summary
    if report.run.flow == NIGHTLY and all(key in summary for key in NIGHT_SUMMARY_KEYS):
        try:
            return render_text(summary_from_json(summary))
        except ValidationError:
            pass  # written before a key of the contract existed: the few lines below
    run = report.run
    lines = [f"{TITLES[run.flow]} {run.as_of} ({run.run_id[:8]}): {run.status}"]
    if run.message:
        lines.append(f"  {run.message}")
    finished = f", finished {run.finished_at:%Y-%m-%d %H:%M} UTC" if run.finished_at else ""
    read = f"; read {run.source}" if run.flow == NIGHTLY else ""
    lines.append(f"  Started {run.started_at:%Y-%m-%d %H:%M} UTC{finished}{read}.")
    lines += [f"  Drift: {reason}" for reason in summary.get("drift", [])]
    lines += _segments(report.segments)
    figures = summary.get("approvals") or {}
    shown = [f"{name.replace('_', ' ')} {value}" for name, value in figures.items()
             if value is not None]  # fmt: skip
    if shown:
        lines.append(f"  Approvals: {', '.join(shown)}.")
    waiting = summary.get("mail_waiting") or {}
    if waiting.get("messages"):
        lines.append(f"  E-mails waiting for the mail server: {waiting['messages']}.")
    return "\n".join(lines)


def _segments(segments: list[dict[str, Any]]) -> list[str]:
    """Each segment's accuracy beside its own baseline (what the drift rule compares)."""
    if not segments:
        return []
    lines = ["  Accuracy per segment (RMSSE beside its baseline; bias > 0: forecasts above "
             "what sold; coverage of the ordered quantile against its target):"]  # fmt: skip
    for s in segments:
        drift = "  DRIFT" if s["drift"] else ""
        lines.append(
            f"    {s['kind']} {s['segment']}: RMSSE {_n(s['rmsse'])} (baseline "
            f"{_n(s['baseline_rmsse'])}), MASE {_n(s['mase'])}, bias {_n(s['bias'], '+.0%')}, "
            f"coverage {_pct(s['coverage'])} (target {_pct(s['target'])}), "
            f"{s['series']} series{drift}"
        )
    return lines


def _n(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
