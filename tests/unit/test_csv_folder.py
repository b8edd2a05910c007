"""The CSV folder source: what it detects, how it numbers lines, and when it refuses a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.sources.csv_folder import FileInfo, read_csv_folder
from integrations.sources.errors import SourceError

ITEMS = "sku,location,supplier_id,unit_cost,pack_size,moq,lead_time_days\nA1,L1,S1,2.5,6,0,3\n"
GOOD = {
    "items.csv": ITEMS,
    "suppliers.csv": "supplier_id,name\nS1,Acme\n",
    "demand_pos.csv": "sku,location,date,quantity\nA1,L1,2024-01-01,3\n",
    "stock.csv": "sku,location,on_hand\nA1,L1,4\n",
}


def write_folder(tmp_path: Path, **overrides: str | bytes | None) -> Path:
    """A valid folder; an override replaces a file (None removes it). '_' stands for '.'."""
    files: dict[str, str | bytes | None] = {
        **GOOD,
        **{k.replace("_csv", ".csv"): v for k, v in overrides.items()},
    }
    for name, content in files.items():
        if content is None:
            continue
        data = content.encode() if isinstance(content, str) else content
        (tmp_path / name).write_bytes(data)
    return tmp_path


def info(files: list[FileInfo], name: str) -> FileInfo:
    return next(f for f in files if f.file == name)


def test_reads_a_valid_folder_with_source_columns(tmp_path: Path) -> None:
    extract = read_csv_folder(write_folder(tmp_path))
    assert set(extract.frames) == {
        "items", "suppliers", "demand", "stock", "open_orders", "stock_history",
    }  # fmt: skip
    items = extract.frames["items"]
    assert items.loc[0, "sku"] == "A1"
    assert items.loc[0, "unit_cost"] == "2.5"  # read as text, typing is the gate's job
    assert items.loc[0, "category"] == ""  # absent optional column present and empty
    assert (items.loc[0, "source_file"], items.loc[0, "source_line"]) == ("items.csv", 2)
    assert extract.frames["open_orders"].empty  # absent optional file = no open orders
    assert extract.frames["stock_history"].empty  # absent: zero sales count as zero demand
    assert [f.file for f in extract.files] == [
        "items.csv",
        "suppliers.csv",
        "demand_pos.csv",
        "stock.csv",
    ]


def test_semicolon_and_cp1252_are_detected(tmp_path: Path) -> None:
    items = "sku;location;supplier_id;unit_cost;pack_size;moq;lead_time_days;description\n"
    items += "A1;L1;S1;2,5;6;0;3;Gr\u00fcner Tee\n"
    extract = read_csv_folder(write_folder(tmp_path, items_csv=items.encode("cp1252")))
    file = info(extract.files, "items.csv")
    assert (file.encoding, file.delimiter, file.delimiter_name) == ("cp1252", ";", "semicolon")
    assert extract.frames["items"].loc[0, "description"] == "Gr\u00fcner Tee"
    assert extract.frames["items"].loc[0, "unit_cost"] == "2,5"


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter"),
    [
        (b"\xef\xbb\xbfsupplier_id,name\nS1,Acme\n", "utf-8-sig", ","),
        ("supplier_id\tname\nS1\tAcm\u00e9\n".encode(), "utf-8", "\t"),
        (b"supplier_id;name\nS1;Acme\n", "utf-8", ";"),
    ],
    ids=["bom", "tab-utf8", "semicolon"],
)
def test_encoding_and_delimiter_detection(
    tmp_path: Path, content: bytes, encoding: str, delimiter: str
) -> None:
    extract = read_csv_folder(write_folder(tmp_path, suppliers_csv=content))
    file = info(extract.files, "suppliers.csv")
    assert (file.encoding, file.delimiter) == (encoding, delimiter)
    assert list(extract.frames["suppliers"]["supplier_id"]) == ["S1"]  # BOM not in the name


def test_header_names_are_normalised_and_unknown_columns_kept_aside(tmp_path: Path) -> None:
    suppliers = " Supplier ID ,NAME,Account  Manager\nS1,Acme,Jo\n"
    extract = read_csv_folder(write_folder(tmp_path, suppliers_csv=suppliers))
    assert info(extract.files, "suppliers.csv").unknown_columns == ("account_manager",)
    assert "account_manager" not in extract.frames["suppliers"].columns
    extra = extract.extras["suppliers"]
    assert extra.to_dict("records") == [
        {"source_file": "suppliers.csv", "source_line": 2, "account_manager": "Jo"}
    ]


def test_source_line_counts_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    demand = (
        "sku,location,date,quantity,channel\n"
        "A1,L1,2024-01-01,1,pos\n"  # line 2
        "\n"  # line 3: blank, skipped
        'A1,L1,2024-01-02,2,"two\nlines"\n'  # lines 4-5
        ",,,,\n"  # line 6: no value at all, skipped
        "A1,L1,2024-01-03,3,pos\n"  # line 7
    )
    extract = read_csv_folder(write_folder(tmp_path, demand_pos_csv=demand))
    assert list(extract.frames["demand"]["source_line"]) == [2, 4, 7]
    assert info(extract.files, "demand_pos.csv").blank_lines == 2


def test_several_demand_files_are_merged(tmp_path: Path) -> None:
    web = "SKU,Location,Date,Quantity,Channel\nA1,L1,2024-01-02,5,web\n"
    extract = read_csv_folder(write_folder(tmp_path, Demand_Web_csv=web))
    demand = extract.frames["demand"]
    assert sorted(demand["source_file"]) == ["Demand_Web.csv", "demand_pos.csv"]
    assert set(demand["channel"]) == {"", "web"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"items_csv": None}, "items.csv: required file is missing in "),
        ({"demand_pos_csv": None}, "demand*.csv: required file is missing in "),
        ({"stock_csv": ""}, "stock.csv: file is empty"),
        ({"stock_csv": "\n\n"}, "stock.csv: file is empty"),
        ({"stock_csv": "\nsku,location,on_hand\n"}, "stock.csv: the first line (the header)"),
        ({"stock_csv": b"\x89PNG\r\n\x1a\n\x00\x00"}, "stock.csv: looks binary"),
        ({"stock_csv": b"PK\x03\x04rest"}, "stock.csv: is a zip archive or Excel workbook"),
        ({"stock_csv": "sku,on_hand\n".encode("utf-16")}, "stock.csv: is UTF-16 text"),
        (
            {"items_csv": "sku,location,supplier_id,unit_cost,pack_size,lead_time_days\n"},
            "items.csv: required column 'moq' is missing (found: sku, location, supplier_id, "
            "unit_cost, pack_size, lead_time_days)",
        ),
        (
            {"stock_csv": "sku\nA1\n"},
            "stock.csv: required columns 'location', 'on_hand' are missing (found: sku)",
        ),
        (
            {"stock_csv": "sku,location,on_hand,SKU\n"},
            "stock.csv: column 'sku' appears more than once in the header",
        ),
        (
            {"items_csv": ITEMS.splitlines()[0] + "\n"},
            "items.csv: has a header but no data rows (items cannot be empty)",
        ),
    ],
    ids=[
        "no-items",
        "no-demand",
        "empty",
        "blank",
        "empty-header",
        "binary",
        "xlsx",
        "utf16",
        "missing-column",
        "missing-columns",
        "duplicate-column",
        "header-only",
    ],
)
def test_broken_files_raise_one_line_source_error(
    tmp_path: Path, overrides: dict[str, str | bytes | None], message: str
) -> None:
    with pytest.raises(SourceError) as raised:
        read_csv_folder(write_folder(tmp_path, **overrides))
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a folder"):
        read_csv_folder(tmp_path / "nowhere")


def test_header_only_open_orders_means_no_open_orders(tmp_path: Path) -> None:
    header = "order_ref,sku,location,quantity,due_date\n"
    extract = read_csv_folder(write_folder(tmp_path, open_orders_csv=header))
    assert extract.frames["open_orders"].empty
    assert info(extract.files, "open_orders.csv").rows == 0


def test_common_header_spellings_are_read_and_reported(tmp_path: Path) -> None:
    """Another system's 'Item Code' and 'Qty' are this contract's sku and quantity."""
    folder = tmp_path / "night"
    folder.mkdir()
    (folder / "items.csv").write_text(
        "Item Code,Store,Vendor,Cost,Pack,MOQ,Lead Time\nSKU-1,DC,S1,2.5,6,12,7\n"
    )
    (folder / "suppliers.csv").write_text("supplier_id,name\nS1,Acme\n")
    (folder / "demand.csv").write_text("sku,location,date,Qty\nSKU-1,DC,2026-11-01,3\n")
    (folder / "stock.csv").write_text("sku,location,on_hand\nSKU-1,DC,4\n")
    raw = read_csv_folder(folder)
    items = next(info for info in raw.files if info.kind == "items")
    assert dict(items.renamed_columns) == {
        "item_code": "sku",
        "store": "location",
        "vendor": "supplier_id",
        "cost": "unit_cost",
        "pack": "pack_size",
        "lead_time": "lead_time_days",
    }
    assert raw.frames["items"].loc[0, "sku"] == "SKU-1"
    assert raw.frames["items"].loc[0, "lead_time_days"] == "7"
    demand = next(info for info in raw.files if info.kind == "demand")
    assert demand.renamed_columns == (("qty", "quantity"),)
    assert raw.frames["demand"].loc[0, "quantity"] == "3"
    # Two candidates for one column ('qty' and 'units'): no guess, the column is missing.
    (folder / "demand.csv").write_text("sku,location,date,Qty,units\nSKU-1,DC,2026-11-01,3,9\n")
    with pytest.raises(SourceError, match="required column 'quantity' is missing"):
        read_csv_folder(folder)


def test_text_is_kept_once_per_distinct_value_across_files(tmp_path: Path) -> None:
    """Millions of demand rows repeat a few skus and dates: each column is a categorical
    of the file's exact strings, and two demand files share one set of categories."""
    pos = "sku,location,date,quantity\n" + "A1,L1,2024-01-01,3\n" * 3 + "A1,L1,2024-01-02, 4\n"
    web = "sku,location,date,quantity,channel\nA1,L1,2024-01-02,1,web\nA1,L1,,,web\n"
    extract = read_csv_folder(write_folder(tmp_path, demand_pos_csv=pos, demand_web_csv=web))
    demand = extract.frames["demand"]
    for column in ("sku", "location", "date", "quantity", "channel", "source_file"):
        assert demand[column].dtype == "category", column
    assert demand["quantity"].astype(str).tolist() == ["3", "3", "3", " 4", "1", ""]
    assert demand["date"].astype(str).tolist()[-3:] == ["2024-01-02", "2024-01-02", ""]
    assert demand["channel"].astype(str).tolist() == ["", "", "", "", "web", "web"]
    assert (
        demand["source_file"].astype(str).tolist()
        == ["demand_pos.csv"] * 4 + ["demand_web.csv"] * 2
    )
    assert demand["source_line"].tolist() == [2, 3, 4, 5, 2, 3]
    assert list(demand["sku"].cat.categories) == ["A1"]  # one string for all six rows
