"""How an order is written into the drop folder: JSON or CSV, for the ERP's importer.

JSON is the order as one object (lines nested). CSV is what older importers read: one row
per order line, the order's fields repeated on each row, a header row first, comma
separated, UTF-8, decimals with a point. Both end with a newline and are complete text:
the file drop publishes them whole (rename) or not at all.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from integrations.erp.base import ErpOrder

CSV_COLUMNS = (
    "po_key", "supplier_id", "location", "order_date", "expected_delivery", "currency",
    "order_value", "line", "sku", "description", "quantity", "unit_price", "line_value",
)  # fmt: skip


def as_json(order: ErpOrder) -> str:
    return json.dumps(order.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def as_csv(order: ErpOrder) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    head = [
        order.po_key, order.supplier_id, order.location, order.order_date.isoformat(),
        order.expected_delivery.isoformat(), order.currency, str(order.value),
    ]  # fmt: skip
    for number, line in enumerate(order.lines, start=1):
        writer.writerow(
            [*head, number, line.sku, line.description, line.quantity, line.unit_price,
             line.line_value]
        )  # fmt: skip
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[ErpOrder], str]] = {"json": as_json, "csv": as_csv}
