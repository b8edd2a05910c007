"""Damaged rows in a CSV file: each quarantined with a reason naming file and line, the
rest of the file read as usual. (Formerly a ragged row or one stray byte refused the file,
which stopped the whole night.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dataquality import ValidationResult, ValidationRules, gate_breaches, validate
from integrations.sources.csv_folder import RawExtract, read_csv_folder

ITEMS = (
    "sku,location,supplier_id,unit_cost,pack_size,moq,lead_time_days,description\n"
    "A1,L1,S1,2.5,6,0,3,Gr\u00fcner Tee\n"
    "A2,L1,S1,2.5,6,0,3,Caf\u00e9\n"
    "A3,L1,S1,2.5,6,0,3,plain\n"
)
GOOD = {
    "items.csv": ITEMS.encode(),
    "suppliers.csv": b"supplier_id,name\nS1,Acme\n",
    "demand_pos.csv": b"sku,location,date,quantity\nA1,L1,2024-01-01,3\nA2,L1,2024-01-01,1\n",
    "stock.csv": b"sku,location,on_hand,as_of\nA1,L1,4,2024-01-02\nA2,L1,4,2024-01-02\n"
    b"A3,L1,1,2024-01-02\n",
}
AS_OF = date(2024, 1, 2)


def read(tmp_path: Path, **files: bytes) -> RawExtract:
    for name, content in {
        **GOOD,
        **{k.replace("_csv", ".csv"): v for k, v in files.items()},
    }.items():
        (tmp_path / name).write_bytes(content)
    return read_csv_folder(tmp_path)


def checked(extract: RawExtract) -> ValidationResult:
    files: dict[str, list[str]] = {}
    for info in extract.files:
        files.setdefault(info.kind, []).append(info.file)
    return validate(extract.frames, as_of=AS_OF, rules=ValidationRules(), files=files)


def quarantined(result: ValidationResult, file: str) -> pd.DataFrame:
    issues = result.issues
    return issues[(issues["file"] == file) & (issues["disposition"] == "quarantined")]


def test_a_row_with_an_extra_field_is_quarantined_not_the_file(tmp_path: Path) -> None:
    stock = b'sku,location,on_hand\nA1,L1,4\nA2,L1,4,9\nA3,L1,"multi\nline"\n'
    result = checked(read(tmp_path, stock_csv=stock))
    bad = quarantined(result, "stock.csv")
    assert bad["line"].tolist() == [3, 4]
    row = bad.iloc[0]
    assert row["reasons"] == "MALFORMED_ROW"
    assert row["detail"] == "stock.csv line 3: row has 4 fields where the header has 3"
    assert bad.iloc[1]["reasons"] == "BAD_NUMBER"  # the quoted cell spans lines 4-5
    counts = result.counts.set_index("file").loc["stock.csv"]
    assert (counts["read"], counts["accepted"], counts["quarantined"]) == (3, 1, 2)


def test_a_nul_byte_quarantines_its_row(tmp_path: Path) -> None:
    demand = b"sku,location,date,quantity\nA1,L1,2024-01-01,3\nA2,L1,2024-01-01,1\x002\n"
    result = checked(read(tmp_path, demand_pos_csv=demand))
    bad = quarantined(result, "demand_pos.csv")
    assert bad["line"].tolist() == [3]
    assert bad.iloc[0]["reasons"].startswith("BAD_ENCODING")
    assert "NUL byte" in bad.iloc[0]["detail"]
    assert "quantity" in bad.iloc[0]["detail"]


def test_one_stray_cp1252_byte_does_not_re_decode_a_utf8_file(tmp_path: Path) -> None:
    items = ITEMS.encode() + b"A4,L1,S1,2.5,6,0,3,Caf\xe9 au lait\n"
    extract = read(tmp_path, items_csv=items)
    info = next(f for f in extract.files if f.file == "items.csv")
    assert info.encoding == "utf-8"
    assert extract.frames["items"].loc[0, "description"] == "Gr\u00fcner Tee"  # not 'GrÃ¼ner'
    result = checked(extract)
    bad = quarantined(result, "items.csv")
    assert bad["line"].tolist() == [5]
    assert bad.iloc[0]["reasons"] == "BAD_ENCODING"
    assert "not utf-8 text in description" in bad.iloc[0]["detail"]


def test_a_plain_cp1252_file_is_still_read_as_cp1252(tmp_path: Path) -> None:
    extract = read(tmp_path, items_csv=ITEMS.encode("cp1252"))
    assert next(f for f in extract.files if f.file == "items.csv").encoding == "cp1252"
    assert quarantined(checked(extract), "items.csv").empty


@pytest.mark.parametrize(
    "content",
    [b"sku,location,on_hand\nA1,L1,\x81\n", b"\xef\xbb\xbfsku,location,on_hand\nA1,L1,\xe9\n"],
    ids=["undefined-cp1252-byte", "bad-utf8-after-bom"],
)
def test_an_unreadable_byte_quarantines_its_row(tmp_path: Path, content: bytes) -> None:
    result = checked(read(tmp_path, stock_csv=content))
    bad = quarantined(result, "stock.csv")
    assert bad["line"].tolist() == [2]
    assert bad.iloc[0]["reasons"].split(";")[0] == "BAD_ENCODING"


def test_cr_only_line_endings_are_lines(tmp_path: Path) -> None:
    stock = b"sku,location,on_hand\rA1,L1,4\rA2,L1,5\rA3,L1,6\r"
    extract = read(tmp_path, stock_csv=stock)
    frame = extract.frames["stock"]
    assert frame["on_hand"].tolist() == ["4", "5", "6"]
    assert frame["source_line"].tolist() == [2, 3, 4]


def test_a_10_mb_cell_and_a_10_mb_line_without_newline(tmp_path: Path) -> None:
    huge = b"x" * 10_000_000
    demand = b"sku,location,date,quantity\nA1,L1,2024-01-01,3\n" + huge + b",L1,2024-01-01,1"
    result = checked(read(tmp_path, demand_pos_csv=demand))
    bad = quarantined(result, "demand_pos.csv")
    assert bad["line"].tolist() == [3]
    assert "TOO_LONG" in bad.iloc[0]["reasons"].split(";")
    assert len(bad.iloc[0]["detail"]) < 300
    assert "10,000,000 characters" in bad.iloc[0]["detail"]


def test_a_header_only_demand_file_stays_visible_and_stops_the_run(tmp_path: Path) -> None:
    web = b"sku,location,date,quantity\nA1,L1,2024-01-01,3\n"
    result = checked(
        read(tmp_path, demand_pos_csv=b"sku,location,date,quantity\n", demand_web_csv=web)
    )
    pos = result.counts.set_index("file").loc["demand_pos.csv"]
    assert (pos["kind"], pos["read"]) == ("demand", 0)
    assert gate_breaches(result, ValidationRules()) == [
        "demand_pos.csv: has a header but no data rows (a broken demand export?)"
    ]


def test_items_without_stock_are_held_or_stop_the_run(tmp_path: Path) -> None:
    stock = b"sku,location,on_hand,as_of\nA1,L1,4,2024-01-02\nA2,L1,4,2023-12-01\n"
    result = checked(read(tmp_path, stock_csv=stock))
    assert quarantined(result, "stock.csv")["reasons"].tolist() == ["STALE_STOCK"]
    items = result.quarantined_items.set_index("sku")["reasons"]
    assert items["A2"] == "STALE_STOCK;NO_STOCK_ROW"
    assert items["A3"] == "NO_STOCK_ROW"
    assert sorted(result.missing_stock["sku"]) == ["A2", "A3"]
    rules = ValidationRules(max_quarantine_share=0.5)
    (message,) = gate_breaches(result, rules)
    assert message.startswith("stock: 2 of 3 active items (66.7%) have no usable stock row")
    assert gate_breaches(result, rules.model_copy(update={"max_missing_stock_share": 0.7})) == []


def test_a_10_mb_date_cell_is_refused_without_parsing_it_for_ever(tmp_path: Path) -> None:
    demand = b"sku,location,date,quantity\nA1,L1,2024-01-01,3\nA2,L1," + b"9" * 10_000_000 + b",1\n"
    result = checked(read(tmp_path, demand_pos_csv=demand))
    bad = quarantined(result, "demand_pos.csv")
    assert bad["reasons"].tolist() == ["BAD_DATE"]
    assert result.quarantined_items.set_index("sku").loc["A2", "newest_demand_date"] is pd.NaT
