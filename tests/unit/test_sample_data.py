"""The sample extract must honour the data contract, be reproducible, and be dirty only on request.

The validator, forecaster and planner are all tested on this data, so a silent drift
here (a missing column, an ambiguous date, dirt that the summary does not own up to)
would make their tests pass or fail for the wrong reason.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cli.sample_data import PROFILES, SampleSummary, sample_profiles, write_sample_data

AS_OF = date(2026, 5, 1)
ITEMS = 40
REQUIRED = {
    "items.csv": {
        "sku",
        "location",
        "supplier_id",
        "unit_cost",
        "pack_size",
        "moq",
        "lead_time_days",
    },
    "suppliers.csv": {"supplier_id", "name"},
    "demand_pos.csv": {"sku", "location", "date", "quantity"},
    "demand_web.csv": {"sku", "location", "date", "quantity"},
    "stock.csv": {"sku", "location", "on_hand"},
    "open_orders.csv": {"order_ref", "sku", "location", "quantity", "due_date"},
}
OPTIONAL = {
    "items.csv": {
        "lead_time_std_days",
        "service_level",
        "review_period_days",
        "max_order_qty",
        "category",
        "description",
        "active",
    },
    "suppliers.csv": {"email", "min_order_value", "order_days", "currency", "lead_time_days"},
    "demand_pos.csv": {"channel"},
    "demand_web.csv": {"channel"},
    "stock.csv": {"as_of"},
    "open_orders.csv": {"supplier_id"},
}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read(folder: Path, name: str) -> pd.DataFrame:
    """Every cell as the exact text written, so dirt is seen rather than parsed away."""
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def demand(folder: Path) -> pd.DataFrame:
    """Both demand files, as the loader will merge them."""
    return pd.concat(
        [read(folder, "demand_pos.csv"), read(folder, "demand_web.csv")], ignore_index=True
    )


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> SampleSummary:
    """One clean folder shared by the module: writing it is the slow part."""
    return write_sample_data(tmp_path_factory.mktemp("clean"), items=ITEMS, dirty=0, as_of=AS_OF)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> SampleSummary:
    """A dirtier folder than the default, so every kind of dirt shows up at this size."""
    return write_sample_data(tmp_path_factory.mktemp("dirty"), items=ITEMS, dirty=0.05, as_of=AS_OF)


def test_same_arguments_give_byte_identical_files(tmp_path: Path, dirty: SampleSummary) -> None:
    again = write_sample_data(tmp_path / "again", items=ITEMS, dirty=0.05, as_of=AS_OF)
    assert again.files == dirty.files
    for name in dirty.files:
        assert (again.out_dir / name).read_bytes() == (dirty.out_dir / name).read_bytes(), name


def test_another_seed_gives_other_data(tmp_path: Path, clean: SampleSummary) -> None:
    other = write_sample_data(tmp_path, items=ITEMS, seed=8, dirty=0, as_of=AS_OF)
    assert (other.out_dir / "demand_pos.csv").read_bytes() != (
        clean.out_dir / "demand_pos.csv"
    ).read_bytes()


def test_dirt_is_laid_over_the_same_clean_rows(clean: SampleSummary, dirty: SampleSummary) -> None:
    clean_rows = set(map(tuple, demand(clean.out_dir).to_numpy()))
    dirty_rows = set(map(tuple, demand(dirty.out_dir).to_numpy()))
    untouched = len(clean_rows & dirty_rows)
    changed = sum(
        n
        for k, n in dirty.dirty_rows.items()
        if k.startswith("demand.") and k != "demand.duplicate_row"
    )
    assert untouched == len(clean_rows) - changed


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_file_has_the_contract_columns(clean: SampleSummary, name: str) -> None:
    with (clean.out_dir / name).open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert REQUIRED[name] <= set(header)
    assert set(header) <= REQUIRED[name] | OPTIONAL[name]
    assert clean.files[name] == len(read(clean.out_dir, name)) > 0


def test_clean_sample_is_clean(clean: SampleSummary) -> None:
    assert clean.dirty_rows == {}
    items, stock, orders = (
        read(clean.out_dir, n) for n in ("items.csv", "stock.csv", "open_orders.csv")
    )
    suppliers = read(clean.out_dir, "suppliers.csv")
    rows = demand(clean.out_dir)
    keys = set(zip(items["sku"], items["location"], strict=True))

    assert rows["date"].str.fullmatch(ISO.pattern).all()
    days = pd.to_datetime(rows["date"], format="%Y-%m-%d")
    assert days.min() >= pd.Timestamp(AS_OF - timedelta(days=730))
    assert days.max() <= pd.Timestamp(AS_OF - timedelta(days=1))
    assert rows["quantity"].str.fullmatch(r"[1-9]\d*").all()
    assert not rows.duplicated().any()
    assert not rows.duplicated(["sku", "location", "date", "channel"]).any()
    assert set(zip(rows["sku"], rows["location"], strict=True)) <= keys
    assert not items.duplicated(["sku", "location"]).any()
    assert (items["pack_size"].astype(int) >= 1).all()
    assert (items["moq"].astype(int) % items["pack_size"].astype(int) == 0).all()
    assert set(items["supplier_id"]) <= set(suppliers["supplier_id"])
    assert set(zip(stock["sku"], stock["location"], strict=True)) == keys
    assert stock["on_hand"].str.fullmatch(r"-?\d+").all()
    assert orders["due_date"].str.fullmatch(ISO.pattern).all()


def test_demand_files_are_split_by_channel(clean: SampleSummary) -> None:
    assert set(read(clean.out_dir, "demand_pos.csv")["channel"]) == {"pos"}
    assert set(read(clean.out_dir, "demand_web.csv")["channel"]) == {"web"}


def test_catalogue_looks_like_a_buyers(clean: SampleSummary) -> None:
    items = read(clean.out_dir, "items.csv")
    stock = read(clean.out_dir, "stock.csv")
    cost = items["unit_cost"].astype(float)
    assert clean.items == items["sku"].nunique() == ITEMS
    assert clean.item_locations == len(items)
    assert cost.between(0.5, 400).all()
    assert set(items["pack_size"].astype(int)) <= {1, 6, 10, 12, 24, 50}
    assert items["lead_time_days"].astype(int).between(2, 30).all()
    assert set(items["service_level"].astype(float)) <= {0.9, 0.95, 0.98}
    on_hand = stock["on_hand"].astype(int)
    assert (on_hand == 0).any()
    assert (on_hand < 0).any()
    assert set(stock["as_of"]) == {AS_OF.isoformat()}


def test_open_orders_reference_known_items(clean: SampleSummary) -> None:
    items = read(clean.out_dir, "items.csv").set_index(["sku", "location"])
    orders = read(clean.out_dir, "open_orders.csv")
    assert orders["order_ref"].str.fullmatch(r"PO-2026-\d{6}").all()
    lines = orders.join(
        items[["supplier_id", "pack_size"]], on=["sku", "location"], rsuffix="_item"
    )
    assert lines["supplier_id_item"].notna().all()
    assert (lines["supplier_id"] == lines["supplier_id_item"]).all()
    assert (lines["quantity"].astype(int) % lines["pack_size"].astype(int) == 0).all()
    assert (orders["due_date"] < AS_OF.isoformat()).any(), "some orders are past due"


def test_every_demand_profile_is_generated(clean: SampleSummary) -> None:
    profiles = sample_profiles(items=ITEMS, seed=7)
    assert set(profiles["profile"]) == set(PROFILES)
    assert profiles["profile"].value_counts().to_dict() == {
        p: n for p, n in clean.profiles.items() if n
    }
    assert "profile" not in read(clean.out_dir, "items.csv").columns


def test_profiles_shape_the_history(clean: SampleSummary) -> None:
    rows = demand(clean.out_dir)
    rows["date"] = pd.to_datetime(rows["date"])
    per_series = rows.groupby(["sku", "location"])["date"].agg(["min", "nunique"])
    profiles = sample_profiles(items=ITEMS, seed=7).join(per_series, on=["sku", "location"])
    by = profiles.groupby("profile")
    assert by.get_group("no_demand")["nunique"].isna().all()
    assert (by.get_group("new")["min"] >= pd.Timestamp(AS_OF - timedelta(days=40))).all()
    assert by.get_group("smooth")["nunique"].min() > 365
    assert by.get_group("intermittent")["nunique"].max() < 0.3 * 730


def detectors(folder: Path) -> dict[str, int]:
    """Count each kind of dirt by looking only at the written text."""
    items, stock = read(folder, "items.csv"), read(folder, "stock.csv")
    suppliers = read(folder, "suppliers.csv")
    rows = demand(folder)
    known = set(items["sku"])
    qty, sku = rows["quantity"], rows["sku"]
    iso = rows["date"].str.fullmatch(ISO.pattern)
    other_date = rows["date"].apply(_other_date_format)
    return {
        "demand.duplicate_row": int(rows.duplicated().sum()),
        "demand.missing_quantity": int((qty == "").sum()),
        "demand.date_format": int(other_date.sum()),
        "demand.thousands_separator": int(qty.str.fullmatch(r"\d{1,3}(,\d{3})+").sum()),
        "demand.padded_number": int((qty.str.strip() != qty).sum()),
        "demand.sku_format": int(
            ((sku.str.strip().str.upper() != sku) & sku.str.strip().str.upper().isin(known)).sum()
        ),
        "demand.unknown_sku": int((~sku.str.strip().str.upper().isin(known)).sum()),
        "demand.negative_quantity": int(qty.str.startswith("-").sum()),
        "items.pack_size_zero": int((items["pack_size"] == "0").sum()),
        "items.unknown_supplier": int((~items["supplier_id"].isin(suppliers["supplier_id"])).sum()),
        "stock.sku_format": int((stock["sku"].str.strip().str.upper() != stock["sku"]).sum()),
        "stock.missing_on_hand": int((stock["on_hand"] == "").sum()),
        "stock.duplicate_row": int(stock.duplicated().sum()),
    } | {"_unexplained_dates": int((~iso & ~other_date).sum())}


def _other_date_format(text: str) -> bool:
    """True for the two foreign formats, and only for spellings that cannot be misread."""
    for fmt, pattern in (("%d.%m.%Y", r"\d{2}\.\d{2}\.\d{4}"), ("%Y/%m/%d", r"\d{4}/\d{2}/\d{2}")):
        if re.fullmatch(pattern, text):
            parsed = datetime.strptime(text, fmt)
            return fmt == "%Y/%m/%d" or parsed.day > 12
    return False


def test_each_reported_kind_of_dirt_is_in_the_files(dirty: SampleSummary) -> None:
    found = detectors(dirty.out_dir)
    assert found.pop("_unexplained_dates") == 0
    assert set(dirty.dirty_rows) == set(found), "every kind appears at this size"
    assert dirty.dirty_rows == found


def test_dirty_share_is_about_what_was_asked(dirty: SampleSummary) -> None:
    demand_dirt = sum(n for k, n in dirty.dirty_rows.items() if k.startswith("demand."))
    written = dirty.files["demand_pos.csv"] + dirty.files["demand_web.csv"]
    clean_rows = written - dirty.dirty_rows["demand.duplicate_row"]
    assert demand_dirt == pytest.approx(0.05 * clean_rows, abs=2)


def test_thousands_separators_are_quoted(dirty: SampleSummary) -> None:
    text = (dirty.out_dir / "demand_pos.csv").read_text(encoding="utf-8")
    assert re.search(r',"\d{1,3}(,\d{3})+",pos\n', text)
    with (dirty.out_dir / "demand_pos.csv").open(encoding="utf-8", newline="") as f:
        assert {len(row) for row in csv.reader(f)} == {5}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"items": 0}, "items"),
        ({"dirty": -0.1}, "dirty"),
        ({"dirty": 0.9}, "dirty"),
    ],
)
def test_bad_arguments_are_refused(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        write_sample_data(tmp_path, as_of=AS_OF, **kwargs)
