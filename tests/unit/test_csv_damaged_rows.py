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


def test_a_row_with_a_field_too_few_is_quarantined_naming_what_is_absent(tmp_path: Path) -> None:
    demand = b"sku,location,date,quantity,channel\nA1,L1,2024-01-01,3,pos\nA2,L1,2024-01-01,1\n"
    result = checked(read(tmp_path, demand_pos_csv=demand))
    (row,) = quarantined(result, "demand_pos.csv").itertuples()
    assert (row.line, row.reasons) == (3, "MALFORMED_ROW")
    assert row.detail == (
        "demand_pos.csv line 3: row has 4 fields where the header has 5 (nothing for channel)"
    )


@pytest.mark.parametrize("damaged", ["demand_pos.csv", "demand_web.csv"])
def test_demand_files_are_judged_alike_whichever_comes_first(tmp_path: Path, damaged: str) -> None:
    """Formerly the merge took the first file's columns: its damaged row crashed the read
    (KeyError 'source_problem'), the second file's was read as a valid row."""
    clean = b"sku,location,date,quantity,channel\nA1,L1,2024-01-01,3,pos\nA2,L1,2024-01-01,1,pos\n"
    broken = b"sku,location,date,quantity,channel,till\nA1,L1,2024-01-02,3,web,7\n"
    broken += b"A2,L1,2024-01-02,1,234,web,7\nA1,L1,2024-01-03\x00,2,web,7\n"
    other = "demand_web.csv" if damaged == "demand_pos.csv" else "demand_pos.csv"
    extract = read(tmp_path, **{damaged.replace(".", "_"): broken, other.replace(".", "_"): clean})
    result = checked(extract)
    bad = quarantined(result, damaged)
    assert bad["line"].tolist() == [3, 4]
    assert [r.split(";")[0] for r in bad["reasons"]] == ["MALFORMED_ROW", "BAD_ENCODING"]
    assert quarantined(result, other).empty
    # the column only the damaged file has is kept aside for its rows, empty for the other's
    extras = extract.extras["demand"].set_index(["source_file", "source_line"])["till"]
    assert extras[(damaged, 2)] == "7"
    assert extras[(other, 2)] == ""


def test_a_ragged_file_is_read_without_a_loop_over_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row-by-row reader took 17 s and 1.5 GB for 1.9 M demand rows with one damaged
    row; the fast reader and the field count agree, so it is never needed here."""

    def slow(*args: object) -> None:
        raise AssertionError("read row by row")

    monkeypatch.setattr("integrations.sources.csv_folder._parse_rows", slow)
    demand = b'sku,location,date,quantity\nA1,L1,2024-01-01,3\n"A2",L1,2024-01-01,1,9\n'
    demand += b"A1,L1\nA2,L1,2023-12-31,2\n"
    result = checked(read(tmp_path, demand_pos_csv=demand))
    bad = quarantined(result, "demand_pos.csv")
    assert bad["line"].tolist() == [3, 4]
    assert bad["reasons"].tolist() == ["MALFORMED_ROW", "MALFORMED_ROW;MISSING_FIELD"]
    counts = result.counts.set_index("file").loc["demand_pos.csv"]
    assert (counts["read"], counts["accepted"], counts["quarantined"]) == (4, 2, 2)


def test_a_demand_date_before_the_history_floor_is_quarantined(tmp_path: Path) -> None:
    demand = b"sku,location,date,quantity\nA1,L1,2024-01-01,3\nA1,L1,1900-01-01,5\n"
    demand += b"A2,L1,2014-01-03,1\nA2,L1,2014-01-01,1\n"
    result = checked(read(tmp_path, demand_pos_csv=demand))
    bad = quarantined(result, "demand_pos.csv")
    assert bad["line"].tolist() == [3, 5]
    assert bad["reasons"].tolist() == ["ANCIENT_DATE", "ANCIENT_DATE"]
    assert bad.iloc[0]["detail"] == (
        "demand_pos.csv line 3: date '1900-01-01' is before 2014-01-02, more than 10 years "
        "before the as-of date 2024-01-02 (validation.max_history_years)"
    )
    assert result.tables["demand"]["date"].min() == pd.Timestamp("2014-01-03")
    files = {"demand": ["demand_pos.csv"]}
    extract = read_csv_folder(tmp_path)
    longer = ValidationRules(max_history_years=11)
    wide = validate(extract.frames, as_of=AS_OF, rules=longer, files=files)
    assert quarantined(wide, "demand_pos.csv")["line"].tolist() == [3]
