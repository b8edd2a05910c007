"""`python -m benchmarks policy [--quick] [--json FILE]`: the ordering policy judged by the
service it buys and the stock it ties up, on real and on generated demand.

Per data set (`benchmarks.policy_data`), the policy is replayed with the forecasting
engine's own estimates (refitted every few weeks on what was known then), before and
after issue 22 (`forecast.sporadic_demand` "model" and "own_totals"), beside the
spreadsheet min/max on its own trailing figures:

- per demand class, at targets 0.80 / 0.90 / 0.95: the realised fill rate, cycle service
  level and average inventory value (sporadic classes promise a fill rate, the others a
  cycle service level); the same with pack 1 and no MOQ (the policy alone: a pack of ten
  for an item selling three a fortnight serves more than any target asks); then with
  every series promising a fill rate, for the whole catalogue's fill rate;
- the service curves, and at every fill rate the baseline reaches the share of inventory
  value the policy saves at equal fill (`purchasing.service_curve.savings_at_equal_fill`);
- tonight's plan on the same extract: the share of lines whose target is above their
  precedent (the most ever sold over a window of the protection interval), and its value;
- the distribution candidates for sporadic items on trailing estimates
  (`benchmarks.policy_candidates`).

No figure here is asserted anywhere; benchmarks/README.md keeps them with the command.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import Options, Report, progress
from benchmarks.policy_data import QUICK_SAMPLE_ITEMS, SAMPLE_ITEMS, Extract, m5, sample

TARGETS = (0.80, 0.90, 0.95)
CLASSES = ("smooth", "erratic", "intermittent", "lumpy", "dormant")
SPORADIC = ("intermittent", "lumpy")
ALL_CLASSES = (*CLASSES, "new")
MODES = {"before": "model", "after": "own_totals"}
REFIT_DAYS = {"M5 subset": 28.0}  # the sample: every 91 days (four refits of 10,000 series)


def benchmark(options: Options) -> Report:
    report = Report("policy", "service bought against stock held, policy vs spreadsheet", "series")
    out = Path(tempfile.mkdtemp(prefix="replenish-policy-"))
    extracts = [m5(out), sample(out, QUICK_SAMPLE_ITEMS if options.quick else SAMPLE_ITEMS)]
    figures: dict[str, Any] = {}
    for extract in extracts:
        if extract is None:
            report.notes.append("M5 subset: ../shared/data/m5_tiny280 not found; skipped")
            continue
        figures[extract.name] = judged = judge(extract)
        for line in render(extract, judged):
            print(line, flush=True)
    report.figures["policy"] = figures
    return report


def judge(extract: Extract) -> dict[str, Any]:
    """Every figure of one data set, before and after."""
    from benchmarks.policy_candidates import compare_candidates
    from benchmarks.policy_precedent import precedent_shares
    from purchasing.service_curve import (
        inventory_saving_at_equal_fill,
        savings_at_equal_fill,
        service_curve,
    )

    result: dict[str, Any] = {"note": extract.note}
    for label, mode in MODES.items():
        progress(f"policy: {extract.name}, {label}: engine refits ...")
        setup = _setup(extract, mode)
        curve = service_curve(setup)
        savings = [row["saving"] for row in savings_at_equal_fill(curve)]
        loose = replace(setup.terms, pack_size=np.ones_like(setup.terms.pack_size),
                        moq=np.zeros_like(setup.terms.moq))  # fmt: skip
        result[label] = {
            "calibration": calibration(setup),
            "policy_alone": calibration(replace(setup, terms=loose)),
            "all_fill_rate": calibration(replace(setup, fill_rate_classes=ALL_CLASSES)),
            "curve": curve,
            "inventory_saving_at_equal_fill": inventory_saving_at_equal_fill(curve),
            "least_saving_along_the_curve": min(
                (s for s in savings if s is not None), default=None
            ),
            "precedent": precedent_shares(extract, mode),
        }
    progress(f"policy: {extract.name}: distribution candidates on trailing estimates ...")
    result["candidates"] = compare_candidates(extract)
    return result


def _setup(extract: Extract, mode: str) -> Any:
    from purchasing.simulation import replay_setup

    settings: Any = extract.settings
    policy = settings.policy.model_copy(update={
        "simulation_estimates": "engine",
        "simulation_refit_every_days": REFIT_DAYS.get(extract.name, 91.0),
    })  # fmt: skip
    forecast = settings.forecast.model_copy(update={"sporadic_demand": mode})
    return replay_setup(
        extract.items, extract.demand, as_of=extract.as_of,
        frequency=forecast.frequency, days_per_period=forecast.days_per_period,
        params=policy, forecast_params=forecast,
    )  # fmt: skip


def calibration(setup: Any) -> dict[str, Any]:
    """Per target: pooled figures per demand class and for the whole catalogue."""
    from purchasing.replay_rules import policy_totals, summarise

    classes = np.asarray(setup.series_classes()).astype(str)
    fill = setup.fill_rate(classes)
    out: dict[str, Any] = {}
    for target in TARGETS:
        level = np.full(classes.size, target)
        totals = policy_totals(setup, level)
        rows: dict[str, Any] = {"all": summarise(totals, level)}
        for name in CLASSES:
            mask = classes == name
            if mask.any():
                rows[name] = summarise(totals, level, mask)
                rows[name]["promise"] = "fill rate" if fill[mask].all() else "cycle service"
        out[f"{target:.2f}"] = rows
    return out


def render(extract: Extract, judged: dict[str, Any]) -> list[str]:
    lines = [f"== policy: {extract.name} ({extract.note})"]
    for label in MODES:
        part = judged[label]
        lines.append(f"-- {label} (forecast.sporadic_demand = {MODES[label]!r})")
        lines.append("  class          target  fill   CSL    avg inventory  (promise)")
        for target, rows in part["calibration"].items():
            for name, row in rows.items():
                promise = row.get("promise", "pooled")
                lines.append(
                    f"  {name:13s}  {target}   {row['fill_rate']:.3f}  "
                    f"{row['cycle_service_level']:.3f}  {row['avg_inventory_value']:>13,.0f}"
                    f"  ({promise}, {row['series']} series)"
                )
        alone = [
            f"{t} -> " + " / ".join(f"{rows[c]['fill_rate']:.3f}" for c in SPORADIC if c in rows)
            for t, rows in part["policy_alone"].items()
        ]
        lines.append(
            "  pack 1 and no MOQ (the policy alone), fill of intermittent / lumpy: "
            + ", ".join(alone)
        )
        every = part["all_fill_rate"]
        lines.append(
            "  every series on a fill rate: "
            + ", ".join(f"{t} -> {rows['all']['fill_rate']:.3f}" for t, rows in every.items())
        )
        saving = part["inventory_saving_at_equal_fill"]
        least = part["least_saving_along_the_curve"]
        lines.append(
            f"  inventory saving at equal fill: {_share(saving)} at the baseline's 95% "
            f"setting, at least {_share(least)} at every fill rate the baseline reaches"
        )
        lines.append("  target   policy fill / inventory   baseline fill / inventory")
        for p, b in zip(part["curve"]["policy"], part["curve"]["baseline"], strict=True):
            lines.append(
                f"  {p['service_target']:>5.0%}    {p['fill_rate']:.3f} / "
                f"{p['avg_inventory_value']:>10,.0f}      {b['fill_rate']:.3f} / "
                f"{b['avg_inventory_value']:>10,.0f}"
            )
        lines += [f"  {text}" for text in part["precedent"]["text"]]
    lines += [f"  {text}" for text in judged["candidates"]["text"]]
    return lines


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
