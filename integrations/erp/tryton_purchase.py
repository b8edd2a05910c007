"""What a purchase in Tryton is made of: our order's supplier, warehouse and lines found
by code (product code = SKU, party code = supplier id, warehouse code = location, after
the optional translation tables), as the values `purchase.purchase.create` takes.

Raw JSON-RPC fills no client-side defaults, so the invoice address, each line's unit and
product supplier are set here. Anything missing is `ErpRejected` for that order, with a
sentence that names what to set up in Tryton.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from integrations.erp.base import ErpOrder, ErpRejected
from integrations.erp.tryton_rpc import TrytonRpc


@dataclass(frozen=True)
class TrytonMapping:
    """Our ids -> Tryton codes, where they differ; anything not listed maps to itself."""

    products: Mapping[str, str] = field(default_factory=dict)
    suppliers: Mapping[str, str] = field(default_factory=dict)
    warehouses: Mapping[str, str] = field(default_factory=dict)


def purchase_values(rpc: TrytonRpc, mapping: TrytonMapping, order: ErpOrder) -> dict[str, Any]:
    """The `purchase.purchase` values for one order, every code looked up in Tryton."""
    party = _by_code(rpc, "party.party", mapping.suppliers, order.supplier_id, "supplier")
    warehouse = _by_code(
        rpc,
        "stock.location", mapping.warehouses, order.location, "warehouse",
        extra=[("type", "=", "warehouse")],
    )  # fmt: skip
    address = rpc.model("party.address", "search", [("party", "=", party)], 0, 1, None)
    if not address:
        raise ErpRejected(
            f"{order.po_key}: Tryton party {order.supplier_id!r} has no address to invoice"
        )
    lines = [_line(rpc, mapping, line.sku, party, line.quantity, line.unit_price)
             for line in order.lines]  # fmt: skip
    values = {
        "reference": order.po_key,
        "party": party,
        "invoice_address": address[0],
        "warehouse": warehouse,
        "purchase_date": order.order_date,
        "delivery_date": order.expected_delivery,
        "invoice_method": "manual",
        "lines": [["create", lines]],
    }
    return values


def _line(
    rpc: TrytonRpc, mapping: TrytonMapping, sku: str, party: int, quantity: Any, price: Any
) -> dict[str, Any]:
    product = _by_code(rpc, "product.product", mapping.products, sku, "product")
    unit = rpc.model("product.product", "read", [product], ["purchase_uom"])[0]
    suppliers = rpc.model(
        "purchase.product_supplier", "search",
        [("party", "=", party), ("template.products", "=", product)], 0, 1, None,
    )  # fmt: skip
    line: dict[str, Any] = {
        "product": product,
        "quantity": float(quantity),
        "unit": unit["purchase_uom"],
        "unit_price": price,
        "description": sku,
    }
    if suppliers:
        line["product_supplier"] = suppliers[0]
    return line


def _by_code(
    rpc: TrytonRpc,
    model: str,
    table: Mapping[str, str],
    ours: str,
    what: str,
    extra: list[Any] | None = None,
) -> int:
    code = table.get(ours, ours)
    found = rpc.model(model, "search", [("code", "=", code), *(extra or [])], 0, 2, None)
    if len(found) != 1:
        problem = "no" if not found else "more than one"
        raise ErpRejected(
            f"Tryton has {problem} {what} with code {code!r} (for our {ours!r}): create it "
            f"in Tryton or map it under [erp.tryton.{what}s] in the settings"
        )
    return int(found[0])
