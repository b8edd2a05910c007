"""The data-quality gate: one verdict per row, every repair and quarantine with its reason."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataquality import (
    Reason,
    ValidationResult,
    ValidationRules,
    quarantine_share_breaches,
    summarise,
    validate,
)

AS_OF = date(2024, 6, 30)
RULES = ValidationRules()
DECIMAL_COMMA_RULES = ValidationRules(decimal_comma=True)
FILES = {
    "items": "items.csv",
    "suppliers": "suppliers.csv",
    "demand": "demand_pos.csv",
    "stock": "stock.csv",
    "open_orders": "open_orders.csv",
}
ITEM = {
    "sku": "A1",
    "location": "L1",
    "supplier_id": "S1",
    "unit_cost": "2.5",
    "pack_size": "6",
    "moq": "0",
    "lead_time_days": "3",
}
BASE: dict[str, list[dict[str, str]]] = {
    "suppliers": [
        {"supplier_id": "S1", "name": "Acme", "lead_time_days": "7"},
        {"supplier_id": "S2", "name": "Bolt", "lead_time_days": ""},
    ],
    "items": [ITEM, {**ITEM, "sku": "A2", "supplier_id": "S2"}],
    "demand": [{"sku": "A1", "location": "L1", "date": "2024-06-01", "quantity": "4"}],
    "stock": [{"sku": "A1", "location": "L1", "on_hand": "10"}],
    "open_orders": [
        {
            "order_ref": "PO1",
            "sku": "A1",
            "location": "L1",
            "quantity": "12",
            "due_date": "2024-07-03",
        }
    ],
}
NEW_ROW = {  # the row a case changes: appended, so it is the file's last line
    "suppliers": {"supplier_id": "S3", "name": "Cord"},
    "items": {**ITEM, "sku": "B1"},
    "demand": {"sku": "A1", "location": "L1", "date": "2024-06-02", "quantity": "5"},
    "stock": {"sku": "A2", "location": "L1", "on_hand": "3"},
    "open_orders": {
        "order_ref": "PO2",
        "sku": "A1",
        "location": "L1",
        "quantity": "6",
        "due_date": "2024-07-04",
    },
}


def frame(kind: str, rows: list[dict[str, str]], file: str | None = None) -> pd.DataFrame:
    """Rows as the source hands them over: text cells plus source_file and source_line."""
    columns = list(dict.fromkeys([*BASE[kind][0], *(c for row in rows for c in row)]))
    out = pd.DataFrame(rows, columns=columns, dtype=object).fillna("")
    out["source_file"] = file or FILES[kind]
    out["source_line"] = range(2, len(rows) + 2)
    return out


def run(
    extra: dict[str, list[dict[str, str]]] | None = None,
    rules: ValidationRules = RULES,
    base: dict[str, list[dict[str, str]]] = BASE,
) -> ValidationResult:
    """Validate the base extract with `extra` rows appended per kind."""
    rows = {kind: base[kind] + (extra or {}).get(kind, []) for kind in base}
    return validate({k: frame(k, r) for k, r in rows.items()}, as_of=AS_OF, rules=rules)


def issue_at(result: ValidationResult, file: str, line: int) -> pd.Series:
    hits = result.issues[(result.issues["file"] == file) & (result.issues["line"] == line)]
    assert len(hits) == 1, result.issues
    return hits.iloc[0]


def assert_balanced(result: ValidationResult) -> None:
    """The per-file counts agree with the per-row record, built separately: each repaired
    or quarantined row is in the issues once, with that verdict, under its own file.
    (read = accepted + repaired + quarantined holds by construction of the counts, so
    checking it would prove nothing; the callers compare `read` with the rows handed in.)"""
    per_file = result.issues.groupby(["file", "disposition"]).size().unstack(fill_value=0)
    per_file = per_file.reindex(columns=["repaired", "quarantined"], fill_value=0)
    for row in result.counts.itertuples():
        recorded = per_file.loc[row.file] if row.file in per_file.index else None
        assert row.repaired == (0 if recorded is None else recorded["repaired"]), row
        assert row.quarantined == (0 if recorded is None else recorded["quarantined"]), row
    assert not result.issues.duplicated(["file", "line"]).any()


R, DC = RULES, DECIMAL_COMMA_RULES
# fmt: off
CASES = [
    # kind, change to NEW_ROW, rules, disposition, reason, fragment of the detail
    ("demand", {"sku": " A1 "}, R, "repaired", Reason.TRIMMED_KEY, "sku ' A1 ' had spaces"),
    ("demand", {"location": "l1"}, R, "repaired", Reason.CASE_NORMALISED, "read as 'L1'"),
    ("demand", {"quantity": "1,234"}, R, "repaired", Reason.THOUSANDS_SEPARATOR,
     "quantity '1,234' read as 1234.0"),
    ("demand", {"quantity": "1,5"}, DC, "repaired", Reason.DECIMAL_COMMA, "read as 1.5"),
    ("demand", {"date": "2024/06/02"}, R, "repaired", Reason.DATE_FORMAT, "read as 2024-06-02"),
    ("demand", {"date": "02.06.2024"}, R, "repaired", Reason.DATE_FORMAT, "read as 2024-06-02"),
    ("demand", {"date": "20240602"}, R, "repaired", Reason.DATE_FORMAT, "read as 2024-06-02"),
    ("demand", {"date": "2024-6-2"}, R, "repaired", Reason.DATE_FORMAT, "read as 2024-06-02"),
    ("items", {"lead_time_days": ""}, R, "repaired", Reason.LEAD_TIME_FROM_SUPPLIER,
     "taken from supplier S1: 7.0"),
    ("demand", {"quantity": ""}, R, "quarantined", Reason.MISSING_FIELD, "quantity is missing"),
    ("suppliers", {"name": " "}, R, "quarantined", Reason.MISSING_FIELD, "name is missing"),
    ("items", {"supplier_id": "S2", "lead_time_days": ""}, R, "quarantined",
     Reason.MISSING_FIELD, "supplier gives no default lead time"),
    ("demand", {"quantity": "abc"}, R, "quarantined", Reason.BAD_NUMBER,
     "quantity 'abc' is not a number"),
    ("demand", {"quantity": "1,5"}, R, "quarantined", Reason.BAD_NUMBER, "decimal comma?"),
    ("demand", {"date": "2024-02-30"}, R, "quarantined", Reason.BAD_DATE, "is not a date"),
    ("demand", {"date": "yesterday"}, R, "quarantined", Reason.BAD_DATE, "is not a date"),
    ("demand", {"date": "03/04/2024"}, R, "quarantined", Reason.AMBIGUOUS_DATE,
     "tells day-first from month-first"),
    ("items", {"active": "maybe"}, R, "quarantined", Reason.BAD_VALUE, "not a yes/no value"),
    ("demand", {"quantity": "-2"}, R, "quarantined", Reason.NEGATIVE_QUANTITY, "is negative"),
    ("open_orders", {"quantity": "-2"}, R, "quarantined", Reason.NEGATIVE_QUANTITY,
     "is negative"),
    ("demand", {"quantity": "2000000"}, R, "quarantined", Reason.ABSURD_QUANTITY,
     "beyond the limit of 1e+06"),
    ("stock", {"on_hand": "-2000000"}, R, "quarantined", Reason.ABSURD_QUANTITY, "limit"),
    ("items", {"service_level": "95"}, R, "quarantined", Reason.OUT_OF_RANGE, "between 0 and 1"),
    ("suppliers", {"min_order_value": "-5"}, R, "quarantined", Reason.OUT_OF_RANGE,
     "is negative"),
    ("demand", {"sku": "ZZ"}, R, "quarantined", Reason.UNKNOWN_SKU,
     "sku 'ZZ' at location 'L1' is not in items"),
    ("stock", {"location": "L9"}, R, "quarantined", Reason.UNKNOWN_SKU, "is not in items"),
    ("open_orders", {"sku": "ZZ"}, R, "quarantined", Reason.UNKNOWN_SKU, "is not in items"),
    ("items", {"supplier_id": "S9"}, R, "quarantined", Reason.UNKNOWN_SUPPLIER,
     "supplier_id 'S9' is not an accepted supplier"),
    ("items", {"supplier_id": ""}, R, "quarantined", Reason.NO_SUPPLIER,
     "supplier_id is missing"),
    ("items", {"pack_size": "0"}, R, "quarantined", Reason.BAD_PACK_SIZE, "pack_size '0'"),
    ("items", {"pack_size": "2.5"}, R, "quarantined", Reason.BAD_PACK_SIZE, "whole number"),
    ("items", {"moq": "-1"}, R, "quarantined", Reason.BAD_MOQ, "moq '-1' is negative"),
    ("demand", {"date": "2024-07-01"}, R, "quarantined", Reason.FUTURE_DATE,
     "after the as-of date 2024-06-30"),
    ("demand", {"date": "1900-01-01"}, R, "quarantined", Reason.ANCIENT_DATE,
     "before 2014-06-30, more than 10 years before the as-of date 2024-06-30"),
    ("stock", {"as_of": "2024-07-01"}, R, "quarantined", Reason.FUTURE_DATE, "after"),
    ("stock", {"as_of": "2024-06-01"}, R, "quarantined", Reason.STALE_STOCK,
     "more than 7 days before"),
    # every number bounded where it enters: nothing absurd reaches the arithmetic
    ("items", {"unit_cost": "1e308"}, R, "quarantined", Reason.OUT_OF_RANGE,
     "above the plausible maximum of 1e+06 (validation.max_unit_cost)"),
    ("items", {"lead_time_days": "1e30"}, R, "quarantined", Reason.OUT_OF_RANGE,
     "validation.max_lead_time_days"),
    ("items", {"moq": "1e12"}, R, "quarantined", Reason.ABSURD_QUANTITY, "max_quantity"),
    ("items", {"pack_size": "1e308"}, R, "quarantined", Reason.ABSURD_QUANTITY, "max_quantity"),
    ("items", {"max_order_qty": "1e30"}, R, "quarantined", Reason.ABSURD_QUANTITY,
     "max_quantity"),
    ("suppliers", {"min_order_value": "1e308"}, R, "quarantined", Reason.OUT_OF_RANGE,
     "max_order_value"),
    ("demand", {"quantity": "NaN"}, R, "quarantined", Reason.BAD_NUMBER, "is not a number"),
    ("demand", {"quantity": "inf"}, R, "quarantined", Reason.BAD_NUMBER, "is not a number"),
    ("demand", {"sku": "X" * 65}, R, "quarantined", Reason.TOO_LONG,
     "is 65 characters long (at most 64)"),
    ("suppliers", {"supplier_id": "S" * 200}, R, "quarantined", Reason.TOO_LONG,
     "(200 characters)"),
    ("suppliers", {"currency": "EURO-DOLLAR"}, R, "quarantined", Reason.TOO_LONG, "at most 8"),
    ("demand", {"sku": "A1\x1b[2J"}, R, "quarantined", Reason.CONTROL_CHARACTER,
     "sku 'A1\\x1b[2J' holds a control character"),
]
# fmt: on


@pytest.mark.parametrize(
    ("kind", "change", "rules", "disposition", "reason", "fragment"),
    CASES,
    ids=[f"{c[4].value}-{c[0]}-{next(iter(c[1].values())) or 'empty'}" for c in CASES],
)
def test_each_reason_code(
    kind: str,
    change: dict[str, str],
    rules: ValidationRules,
    disposition: str,
    reason: Reason,
    fragment: str,
) -> None:
    result = run({kind: [{**NEW_ROW[kind], **change}]}, rules=rules)
    line = len(BASE[kind]) + 2
    read = result.counts.set_index("file")["read"]
    assert read[FILES[kind]] == len(BASE[kind]) + 1  # every row handed in is counted
    issue = issue_at(result, FILES[kind], line)
    assert issue["disposition"] == disposition
    assert reason.value in issue["reasons"].split(";")
    assert issue["detail"].startswith(f"{FILES[kind]} line {line}: ")
    assert fragment in issue["detail"]
    assert json.loads(issue["raw"])[next(iter(change))] == next(iter(change.values()))
    assert_balanced(result)
    others = result.issues.drop(index=issue.name)
    assert others.empty, others  # the base extract is clean: only the changed row is touched


def test_every_reason_has_a_case_and_a_description() -> None:
    covered = {case[4] for case in CASES} | {
        Reason.DUPLICATE_COLLAPSED,
        Reason.CONFLICTING_DUPLICATE,
        # set by the source, and item-level: tests/unit/test_gate_containment.py
        Reason.BAD_ENCODING,
        Reason.MALFORMED_ROW,
        Reason.NO_STOCK_ROW,
    }
    assert covered == set(Reason)
    assert all(reason.description for reason in Reason)


def test_detail_names_file_line_field_and_value() -> None:
    result = run({"demand": [{**NEW_ROW["demand"], "quantity": "abc"}]})
    assert issue_at(result, "demand_pos.csv", 3)["detail"] == (
        "demand_pos.csv line 3: quantity 'abc' is not a number"
    )


def test_exact_duplicates_collapse_into_one_accepted_row() -> None:
    copy = {**BASE["demand"][0], "sku": " a1"}  # same meaning once the key is normalised
    result = run({"demand": [BASE["demand"][0], copy]})
    assert len(result.tables["demand"]) == 1
    counts = result.counts.set_index("file").loc["demand_pos.csv"]
    assert (counts["read"], counts["accepted"], counts["repaired"]) == (3, 1, 2)
    issue = issue_at(result, "demand_pos.csv", 3)
    assert issue["reasons"] == Reason.DUPLICATE_COLLAPSED
    assert "exact copy of demand_pos.csv line 2" in issue["detail"]


def test_conflicting_duplicates_quarantine_every_row_of_the_key() -> None:
    result = run({"demand": [{**BASE["demand"][0], "quantity": "9"}]})
    assert result.tables["demand"].empty
    lines = result.issues.query("reasons == 'CONFLICTING_DUPLICATE'")["line"].tolist()
    assert lines == [2, 3]


def test_a_good_copy_is_kept_over_a_quarantined_one() -> None:
    # both read NaN for service_level, so they are copies; only the second is readable
    result = run(
        {"items": [{**ITEM, "service_level": "n/a"}, {**ITEM, "service_level": ""}]},
        base={**BASE, "items": [BASE["items"][1]]},
    )
    assert list(result.tables["items"]["sku"]) == ["A2", "A1"]
    assert issue_at(result, "items.csv", 3)["reasons"] == "BAD_NUMBER"
    assert list(result.issues["line"]) == [3]  # the kept copy (line 4) is simply accepted


def test_conflicting_items_make_their_demand_unknown() -> None:
    result = run({"items": [{**ITEM, "unit_cost": "3"}]})
    assert list(result.tables["items"]["sku"]) == ["A2"]
    issue = issue_at(result, "demand_pos.csv", 2)
    assert issue["reasons"] == "UNKNOWN_SKU"
    assert "whose own row is quarantined" in issue["detail"]


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["13/01/2024", "02/01/2024"], ["2024-01-13", "2024-01-02"]),  # day-first file
        (["01/13/2024", "02/01/2024"], ["2024-01-13", "2024-02-01"]),  # month-first file
        (["13/01/2024", "01/13/2024"], [None, None]),  # both: ambiguous
        (["03/04/2024", "05/05/2024"], [None, "2024-05-05"]),  # undecidable, unless a == b
    ],
    ids=["day-first", "month-first", "mixed", "undecidable"],
)
def test_slashed_dates_are_decided_per_file(dates: list[str], expected: list[str | None]) -> None:
    rows = [{**NEW_ROW["demand"], "date": d} for d in dates]
    result = run({"demand": rows})
    for line, want in zip((3, 4), expected, strict=True):
        issue = issue_at(result, "demand_pos.csv", line)
        if want is None:
            assert issue["reasons"] == "AMBIGUOUS_DATE"
        else:
            assert (issue["disposition"], issue["reasons"]) == ("repaired", "DATE_FORMAT")
            assert want in issue["detail"]


def test_slashed_dates_in_other_files_do_not_decide() -> None:
    demand = pd.concat(
        [
            frame("demand", BASE["demand"] + [{**NEW_ROW["demand"], "date": "13/01/2024"}]),
            frame(
                "demand",
                [{**NEW_ROW["demand"], "date": "01/13/2024", "channel": "web"}],
                file="demand_web.csv",
            ),
        ],
        ignore_index=True,
    )
    frames = {k: frame(k, BASE[k]) for k in BASE} | {"demand": demand}
    result = validate(frames, as_of=AS_OF, rules=RULES)
    assert sorted(result.tables["demand"]["date"].dt.strftime("%m-%d")) == [
        "01-13",
        "01-13",
        "06-01",
    ]


def test_decimal_comma_with_thousands_dot() -> None:
    change = {**NEW_ROW["demand"], "quantity": "1.234,5"}
    result = run({"demand": [change]}, rules=ValidationRules(decimal_comma=True))
    assert issue_at(result, "demand_pos.csv", 3)["reasons"] == "THOUSANDS_SEPARATOR;DECIMAL_COMMA"
    assert result.tables["demand"]["quantity"].tolist() == [4.0, 1234.5]


def test_quarantined_row_lists_only_quarantine_reasons() -> None:
    result = run({"demand": [{**NEW_ROW["demand"], "sku": " a1", "quantity": "x", "date": "?"}]})
    issue = issue_at(result, "demand_pos.csv", 3)
    assert issue["reasons"] == "BAD_DATE;BAD_NUMBER"
    assert issue["field"] == "date;quantity"


def test_defaults_are_not_repairs_and_backorders_are_allowed() -> None:
    result = run({"stock": [{**NEW_ROW["stock"], "on_hand": "-4"}]})
    assert result.issues.empty
    items = result.tables["items"]
    assert items["lead_time_std_days"].tolist() == [0.0, 0.0]
    assert items["service_level"].isna().all()
    assert items["active"].all()
    assert result.tables["stock"]["on_hand"].tolist() == [10.0, -4.0]
    assert result.tables["open_orders"]["supplier_id"].tolist() == ["S1"]  # item's supplier


def test_tables_have_the_documented_columns_and_types() -> None:
    tables = run().tables
    assert {kind: list(t.columns) for kind, t in tables.items()} == {
        "items": [
            "sku",
            "location",
            "supplier_id",
            "unit_cost",
            "pack_size",
            "moq",
            "lead_time_days",
            "lead_time_std_days",
            "service_level",
            "review_period_days",
            "max_order_qty",
            "category",
            "description",
            "active",
        ],
        "suppliers": [
            "supplier_id",
            "name",
            "email",
            "min_order_value",
            "order_days",
            "currency",
            "lead_time_days",
        ],
        "demand": ["sku", "location", "date", "quantity", "channel"],
        "stock": ["sku", "location", "on_hand", "as_of"],
        "open_orders": ["order_ref", "sku", "location", "quantity", "due_date", "supplier_id"],
        "stock_history": ["sku", "location", "date", "on_hand"],
    }
    assert tables["items"]["pack_size"].dtype == "int64"
    assert tables["demand"]["date"].dtype == "datetime64[ns]"
    assert tables["stock"]["as_of"].isna().all()


def test_quarantined_items_collect_reasons_per_item_location() -> None:
    result = run(
        {
            "demand": [
                {**NEW_ROW["demand"], "quantity": "-1"},
                {**NEW_ROW["demand"], "date": "2024-06-03", "quantity": "abc"},
            ],
            "stock": [{**NEW_ROW["stock"], "on_hand": "x"}, {**NEW_ROW["stock"], "location": ""}],
        }
    )
    records = result.quarantined_items.to_dict("records")
    assert [{k: r[k] for k in ("sku", "location", "reasons")} for r in records] == [
        {"sku": "A1", "location": "L1", "reasons": "BAD_NUMBER;NEGATIVE_QUANTITY"},
        {"sku": "A2", "location": "", "reasons": "MISSING_FIELD"},  # any location of A2
        # its only stock row is quarantined, so it has no usable one either
        {"sku": "A2", "location": "L1", "reasons": "BAD_NUMBER;NO_STOCK_ROW"},
    ]
    # Only dated demand rows: the newest of their dates; stock rows always matter (NaT).
    newest = [r["newest_demand_date"] for r in records]
    assert newest[0] == pd.Timestamp("2024-06-03")
    assert pd.isna(newest[1])
    assert pd.isna(newest[2])


def test_missing_kinds_are_empty_and_missing_columns_refused() -> None:
    result = validate({"items": frame("items", BASE["items"])}, as_of=AS_OF, rules=RULES)
    assert result.tables["demand"].empty
    broken = frame("demand", BASE["demand"]).drop(columns=["quantity"])
    with pytest.raises(ValueError, match="demand: frame lacks required column"):
        validate({"demand": broken}, as_of=AS_OF, rules=RULES)


def test_report_breaches_and_summary() -> None:
    bad = [{**NEW_ROW["demand"], "date": f"2024-05-{d:02d}", "quantity": "x"} for d in (1, 2)]
    result = run({"demand": bad})
    assert quarantine_share_breaches(result.counts, 0.5) == [
        "demand_pos.csv: 66.7% of 3 rows quarantined (limit 50.0%); top reasons: BAD_NUMBER (2)"
    ]
    assert quarantine_share_breaches(result.counts, 0.7) == []
    summary = summarise(result)
    total = summary.iloc[-1]
    assert (total["file"], total["read"], total["quarantined"]) == ("(all files)", 9, 2)
    assert summary.set_index("file").loc["demand_pos.csv", "quarantined_pct"] == 66.7


# --- property: messy demand never breaks the gate -------------------------------------------

CLEAN = st.builds(
    lambda sku, day, qty: {
        "sku": sku,
        "location": "L1",
        "date": (pd.Timestamp("2023-01-01") + pd.Timedelta(days=day)).strftime("%Y-%m-%d"),
        "quantity": str(qty),
    },
    st.sampled_from(["A1", "A2"]),
    st.integers(0, 545),
    st.integers(0, 10_000),
)
MESSY = st.fixed_dictionaries(
    {
        "sku": st.sampled_from(["A1", " a2 ", "", "ZZ", "a1"]) | st.text(max_size=4),
        "location": st.sampled_from(["L1", "l1 ", ""]),
        "date": st.sampled_from(
            [
                "2024-01-05",
                "2024/01/05",
                "05.01.2024",
                "20240105",
                "13/01/2024",
                "01/13/2024",
                "03/04/2024",
                "2024-02-30",
                "2099-01-01",
                "",
            ]
        )
        | st.text(max_size=10),
        "quantity": st.sampled_from(["1", "1,234", "-3", "abc", "", "1e9", "2.5", "nan", "inf"])
        | st.text(max_size=6),
        "channel": st.sampled_from(["", "web", "pos"]),
    }
)


@pytest.mark.slow  # 25 whole validations of generated extracts
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clean=st.lists(CLEAN, max_size=15), messy=st.lists(MESSY, max_size=25), data=st.data())
def test_messy_demand_property(
    clean: list[dict[str, str]], messy: list[dict[str, str]], data: st.DataObject
) -> None:
    # clean rows get keys no messy row can share, so a conflict can never involve them
    clean = [{**row, "channel": f"c{i}"} for i, row in enumerate(clean)]
    rows = data.draw(st.permutations(clean + messy))
    clean_lines = {i + 2 for i, row in enumerate(rows) if row["channel"].startswith("c")}
    frames = {k: frame(k, BASE[k]) for k in BASE} | {"demand": frame("demand", rows)}
    result = validate(frames, as_of=AS_OF, rules=RULES)

    assert_balanced(result)
    demand_counts = result.counts[result.counts["kind"] == "demand"]
    assert int(demand_counts["read"].sum()) == len(rows)
    quarantined = result.issues[result.issues["disposition"] == "quarantined"]
    assert (quarantined["reasons"] != "").all()
    assert set(quarantined["reasons"].str.split(";").explode()) <= {r.value for r in Reason}
    demand_q = quarantined[quarantined["kind"] == "demand"]
    assert not clean_lines & set(demand_q["line"])
    assert len(result.tables["demand"]) <= len(rows)
