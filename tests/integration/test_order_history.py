"""Order history for the flag rules, read with one window-function query on both databases."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from flags.rules.history import HISTORY_COLUMNS
from flags.rules.orders import ORDER_HISTORY_COLUMNS
from storage.models import OrderLine, PurchaseOrder, Run
from storage.orders import OrderRepository


def test_recent_lines_returns_the_last_n_earlier_lines_per_item_location(engine: Engine) -> None:
    tag = uuid.uuid4().hex[:8].upper()  # the session database is shared: own keys and skus
    now = pd.Timestamp("2024-01-01", tz="UTC").to_pydatetime()
    with Session(engine) as session:
        session.add(Run(id=f"r{tag}", as_of=date(2024, 1, 5), source="test", status="ok",
                        started_at=now))  # fmt: skip
        session.flush()  # the run first: orders refer to it
        # The rejected order of 4 Jan and the one still waiting were never placed: not history.
        days = [(1, "submitted"), (2, "approved"), (3, "auto_approved"), (4, "rejected"),
                (4, "pending_review"), (5, "approved")]  # fmt: skip
        for n, (day, status) in enumerate(days):
            po = PurchaseOrder(
                po_key=f"PO-{tag}-{n}", run_id=f"r{tag}", supplier_id="S1", location="WH1",
                order_date=date(2024, 1, day), expected_delivery=date(2024, 1, 20),
                currency="EUR", value=Decimal(0), status=status, created_at=now,
                updated_at=now,
            )  # fmt: skip
            approved = Decimal(99) if n == 1 else None
            po.lines = [
                OrderLine(sku=sku, location="WH1", proposed_quantity=Decimal(n + 1),
                          approved_quantity=approved, unit_cost=Decimal("1.5"),
                          line_value=Decimal(0), explanation="")
                for sku in (f"A{tag}", f"B{tag}")
            ]  # fmt: skip
            session.add(po)
        session.flush()
        rows = OrderRepository(session).recent_lines(
            [(f"A{tag}", "WH1"), (f"C{tag}", "WH1")], per_item=2, before=date(2024, 1, 5)
        )
    assert [(r["sku"], float(r["quantity"]), r["order_date"]) for r in rows] == [
        (f"A{tag}", 3.0, date(2024, 1, 3)),
        (f"A{tag}", 99.0, date(2024, 1, 2)),  # approved quantity wins over proposed
    ]
    assert set(rows[0]) == set(HISTORY_COLUMNS)


def test_recent_orders_counts_an_order_and_its_review_order_as_one(engine: Engine) -> None:
    tag = uuid.uuid4().hex[:8].upper()
    supplier = f"S{tag}"
    now = pd.Timestamp("2024-01-01", tz="UTC").to_pydatetime()
    with Session(engine) as session:
        session.add(Run(id=f"o{tag}", as_of=date(2024, 1, 9), source="test", status="ok",
                        started_at=now))  # fmt: skip
        session.flush()
        # (key suffix, day, status, value, lines): 3 Jan was split into PO and PO-R; the
        # rejected order and tonight's (9 Jan) are not history; USD is its own currency.
        orders = [("1", 2, "submitted", "100.00", 2, "EUR"), ("2", 3, "submitted", "300.00", 3,
                   "EUR"), ("2-R", 3, "approved", "50.00", 1, "EUR"), ("3", 4, "rejected",
                   "999.00", 9, "EUR"), ("4", 5, "confirmed", "70.00", 1, "USD"),
                  ("5", 9, "submitted", "500.00", 5, "EUR")]  # fmt: skip
        for suffix, day, status, value, count, currency in orders:
            po = PurchaseOrder(
                po_key=f"PO-{tag}-{suffix}", run_id=f"o{tag}", supplier_id=supplier,
                location="WH1", order_date=date(2024, 1, day),
                expected_delivery=date(2024, 1, 20), currency=currency, value=Decimal(value),
                status=status, created_at=now, updated_at=now,
            )  # fmt: skip
            po.lines = [
                OrderLine(sku=f"X{i}", location="WH1", proposed_quantity=Decimal(1),
                          unit_cost=Decimal(1), line_value=Decimal(1), explanation="")
                for i in range(count)
            ]  # fmt: skip
            session.add(po)
        session.flush()
        rows = OrderRepository(session).recent_orders(
            [(supplier, "WH1"), (supplier, "WH9")], per_pair=8, before=date(2024, 1, 9)
        )
    assert set(rows[0]) == set(ORDER_HISTORY_COLUMNS)
    got = sorted((r["currency"], r["order_date"], float(r["value"]), int(r["line_count"]))
                 for r in rows)  # fmt: skip
    assert got == [
        ("EUR", date(2024, 1, 2), 100.0, 2),
        ("EUR", date(2024, 1, 3), 350.0, 4),
        ("USD", date(2024, 1, 5), 70.0, 1),
    ]
