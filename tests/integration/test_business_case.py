"""`replenish business-case` on a small generated extract: a multi-night replay whose
per-night counts add up, whose buyer time follows the setting, and whose JSON and page
a finance person can rely on."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cli import main as cli
from cli.sample_data import write_sample_data

pytestmark = pytest.mark.slow  # a replay with the nightly code on every night: ~10 s here

AS_OF = date(2026, 12, 7)
MINUTES = 3.5
WEEKS = 5


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The JSON of one replay of five weeks over 30 items at three locations, and its page."""
    root = tmp_path_factory.mktemp("business-case")
    write_sample_data(root / "data", items=30, seed=12, dirty=0.0, as_of=AS_OF)
    report = root / "out" / "case.html"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main([
            "business-case", "--source", str(root / "data"), "--as-of", AS_OF.isoformat(),
            "--weeks", str(WEEKS), "--minutes-per-decision", str(MINUTES),
            "--report", str(report), "--json",
        ])  # fmt: skip
    assert code == 0
    return json.loads(out.getvalue()), report


def test_every_night_adds_up_to_its_orders_and_lines(replayed: tuple[dict[str, Any], Path]) -> None:
    case, _ = replayed
    nights = case["nights"]
    assert len(nights) == WEEKS  # one night per replayed week (weekly reviews)
    for night in nights:
        assert night["auto_approved_orders"] + night["decisions"] == night["orders"]
        assert night["auto_approved_lines"] + night["lines_to_people"] == night["lines"]
        assert night["auto_approved_value"] + night["value_to_people"] == pytest.approx(
            night["value"], abs=0.01
        )
        assert night["buyer_minutes"] == pytest.approx(night["decisions"] * MINUTES)
        # Every held order carries at least one holding reason, and only held orders do.
        assert (night["decisions"] > 0) == bool(night["held_by_reason"])
        assert sum(night["held_by_reason"].values()) >= night["decisions"]
    totals = case["totals"]
    for key in ("orders", "lines", "decisions", "auto_approved_lines", "lines_to_people"):
        assert totals[key] == sum(n[key] for n in nights), key
    # The replay is a workflow, not only a policy: lines went both ways.
    assert totals["lines"] > 0
    assert 0 < totals["auto_approved_lines"] < totals["lines"]
    assert case["buyer_hours"] == pytest.approx(totals["decisions"] * MINUTES / 60, abs=0.01)
    assert case["buyer_hours_checking_every_line"] == pytest.approx(
        totals["lines"] * MINUTES / 60, abs=0.01
    )
    assert case["auto_approved_line_share"] == pytest.approx(
        totals["auto_approved_lines"] / totals["lines"], abs=1e-4
    )


def test_the_nights_are_the_last_weeks_of_history(replayed: tuple[dict[str, Any], Path]) -> None:
    case, _ = replayed
    dates = [date.fromisoformat(n["night"]) for n in case["nights"]]
    assert dates == sorted(dates)
    assert all((b - a).days == 7 for a, b in itertools.pairwise(dates))
    assert dates[-1] < AS_OF
    assert (AS_OF - dates[-1]).days <= 7
    assert len(case["weekly"]) >= WEEKS


def test_the_json_has_the_documented_shape(replayed: tuple[dict[str, Any], Path]) -> None:
    case, _ = replayed
    assert {
        "as_of", "currency", "first_night", "last_night", "weeks", "estimates",
        "item_locations", "minutes_per_decision", "nights", "totals",
        "auto_approved_line_share", "auto_approved_value_share", "buyer_hours",
        "buyer_hours_checking_every_line", "policy", "baseline", "inventory_difference",
        "equal_fill", "weekly", "seconds",
    } <= set(case)  # fmt: skip
    for side in ("policy", "baseline"):
        assert set(case[side]) == {
            "fill_rate", "stockout_periods", "avg_inventory_value", "demand_units"
        }  # fmt: skip
        assert 0.0 < case[side]["fill_rate"] <= 1.0
    assert set(case["equal_fill"]) == {
        "baseline_fill_rate", "baseline_inventory_value", "policy_inventory_value", "saving",
        "saving_amount", "lowest_saving",
    }  # fmt: skip
    assert case["minutes_per_decision"] == MINUTES
    assert case["currency"] == "EUR"


def test_the_page_is_one_html_file_with_its_chart_and_no_script(
    replayed: tuple[dict[str, Any], Path],
) -> None:
    case, report = replayed
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html
    assert "<script" not in html.lower()
    assert "Inventory saving at equal fill" in html
    totals = case["totals"]
    # Money is written the one way (domain.money): "EUR 1,234.50".
    value = f"EUR {totals['auto_approved_value']:,.2f}"
    assert value in html
    markdown = report.with_suffix(".md").read_text(encoding="utf-8")
    assert markdown.startswith("# Business case")
    assert "![" in markdown
    assert report.with_suffix(".svg").is_file()
