"""What the file drop writes as CSV, and what the operator reads when the ERP refuses."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from approvals.operator_alerts import submission_failing
from integrations.erp.base import ErpOrder, ErpOrderLine
from integrations.erp.file_formats import CSV_COLUMNS, as_csv


def test_a_csv_order_has_a_header_and_one_row_per_line_with_the_order_repeated() -> None:
    lines = tuple(
        ErpOrderLine(sku=sku, description=text, quantity=Decimal(q), unit_price=Decimal("2.50"),
                     line_value=Decimal(q) * Decimal("2.50"))
        for sku, text, q in [("A1", 'Bolt, 5" long', "6"), ("B2", "Nut", "12")]
    )  # fmt: skip
    order = ErpOrder(
        po_key="RPL-20261130-S1-DC", supplier_id="S1", location="DC",
        order_date=date(2026, 11, 30), expected_delivery=date(2026, 12, 7), currency="EUR",
        value=Decimal("45.00"), lines=lines,
    )  # fmt: skip
    text = as_csv(order)
    assert text.endswith("\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["line"], r["sku"], r["quantity"]) for r in rows] == [
        ("1", "A1", "6"),
        ("2", "B2", "12"),
    ]
    assert {r["po_key"] for r in rows} == {"RPL-20261130-S1-DC"}
    assert rows[0]["description"] == 'Bolt, 5" long'  # quoted, not split


def test_a_rejection_alert_says_rejected_and_carries_the_erps_message() -> None:
    mail = submission_failing(
        sender="r@shop.test", operator="ops@shop.test", po_key="RPL-1", attempts=1,
        error="the ERP refused the order (HTTP 422): supplier S1 is blocked", rejected=True,
    )  # fmt: skip
    assert mail.message["Subject"] == "replenish: the ERP rejected purchase order RPL-1"
    body = mail.message.get_content()
    assert "supplier S1 is blocked" in body
    assert "1 times" not in body
