"""The Tryton adapter against a real Tryton server (started by the `tryton` fixture)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from smtp_inbox import free_port
from tryton_seed import create_product, create_supplier, create_warehouse
from tryton_server import TrytonServer

from integrations.erp.base import ErpOrder, ErpOrderLine, ErpRejected, ErpUnavailable
from integrations.erp.tryton import TrytonErp, TrytonMapping
from integrations.erp.tryton_rpc import TrytonRpc

pytestmark = pytest.mark.tryton


@pytest.fixture
def codes(tryton: TrytonServer) -> dict[str, str]:
    """A supplier, two products and a warehouse under fresh codes, so tests never collide."""
    tag = uuid.uuid4().hex[:8].upper()
    admin = tryton.admin()
    names = {"supplier": f"S-{tag}", "sku": f"A-{tag}", "sku2": f"B-{tag}", "location": f"L{tag}"}
    create_supplier(admin, names["supplier"], f"Supplier {tag}")
    create_product(admin, names["sku"])
    create_product(admin, names["sku2"])
    create_warehouse(admin, names["location"])
    return names


def order(codes: dict[str, str], key: str | None = None, sku: str | None = None) -> ErpOrder:
    lines = (
        ErpOrderLine(sku=sku or codes["sku"], quantity=Decimal("12"), unit_price=Decimal("4.50"),
                     line_value=Decimal("54.00")),
        ErpOrderLine(sku=codes["sku2"], quantity=Decimal("5"), unit_price=Decimal("2.10"),
                     line_value=Decimal("10.50")),
    )  # fmt: skip
    return ErpOrder(
        po_key=key or f"PO-{uuid.uuid4().hex[:12]}",
        supplier_id=codes["supplier"],
        location=codes["location"],
        order_date=date(2026, 11, 30),
        expected_delivery=date(2026, 12, 7),
        currency="EUR",
        value=Decimal("64.50"),
        lines=lines,
    )


def purchases(rpc: TrytonRpc, key: str) -> list[dict[str, Any]]:
    fields = ["state", "number", "party.code", "warehouse.code", "lines", "total_amount"]
    return list(rpc.model("purchase.purchase", "search_read", [("reference", "=", key)],
                          0, None, None, fields))  # fmt: skip


def test_an_order_becomes_a_confirmed_purchase_that_reads_back(
    tryton: TrytonServer, codes: dict[str, str]
) -> None:
    erp = TrytonErp(tryton.product())
    sent = order(codes)

    receipt = erp.submit(sent)

    rpc = tryton.admin()
    [held] = purchases(rpc, sent.po_key)
    assert receipt.created
    assert receipt.external_ref == held["number"]
    assert held["state"] == "processing"  # quoted and confirmed; not stuck in "confirmed"
    assert held["party."]["code"] == codes["supplier"]
    assert held["warehouse."]["code"] == codes["location"]
    assert held["total_amount"] == Decimal("64.50")
    lines = rpc.model("purchase.line", "read", held["lines"],
                      ["product.code", "quantity", "unit_price"])  # fmt: skip
    got = {(line["product."]["code"], line["quantity"], line["unit_price"]) for line in lines}
    assert got == {(codes["sku"], 12.0, Decimal("4.5000")), (codes["sku2"], 5.0, Decimal("2.1000"))}


def test_a_second_submit_of_a_key_adopts_the_purchase(
    tryton: TrytonServer, codes: dict[str, str]
) -> None:
    sent = order(codes)
    first = TrytonErp(tryton.product()).submit(sent)

    again = TrytonErp(tryton.product()).submit(sent)  # a new process, a new session

    assert not again.created
    assert again.external_ref == first.external_ref
    assert len(purchases(tryton.admin(), sent.po_key)) == 1
    assert TrytonErp(tryton.product()).find(sent.po_key) == again


def test_a_purchase_left_unconfirmed_is_finished_not_duplicated(
    tryton: TrytonServer, codes: dict[str, str]
) -> None:
    sent = order(codes)
    TrytonErp(tryton.product()).hand_over(sent)  # as if killed between quote and confirm
    erp = TrytonErp(tryton.product())

    assert erp.find(sent.po_key) is None  # not placed with the supplier yet
    receipt = erp.submit(sent)

    [held] = purchases(tryton.admin(), sent.po_key)
    assert (held["state"], receipt.created, receipt.external_ref) == (
        "processing", False, held["number"],
    )  # fmt: skip
    assert erp.find(sent.po_key) == receipt


def test_an_unmapped_sku_fails_that_order_only(tryton: TrytonServer, codes: dict[str, str]) -> None:
    erp = TrytonErp(tryton.product())
    bad, good = order(codes, sku="NO-SUCH-SKU"), order(codes)

    with pytest.raises(ErpRejected, match="no product with code 'NO-SUCH-SKU'"):
        erp.submit(bad)
    erp.submit(good)

    assert purchases(tryton.admin(), bad.po_key) == []
    assert len(purchases(tryton.admin(), good.po_key)) == 1


def test_the_mapping_table_translates_our_ids_to_tryton_codes(
    tryton: TrytonServer, codes: dict[str, str]
) -> None:
    ours = order(codes, sku="our-sku").model_copy(
        update={"supplier_id": "our-supplier", "location": "our-store"}
    )
    mapping = TrytonMapping(
        products={"our-sku": codes["sku"]},
        suppliers={"our-supplier": codes["supplier"]},
        warehouses={"our-store": codes["location"]},
    )

    TrytonErp(tryton.product(), mapping).submit(ours)

    [held] = purchases(tryton.admin(), ours.po_key)
    assert held["party."]["code"] == codes["supplier"]
    assert held["warehouse."]["code"] == codes["location"]


def test_a_tryton_user_error_rejects_the_order_with_trytons_message(
    tryton: TrytonServer, codes: dict[str, str]
) -> None:
    admin = tryton.admin()
    [product] = admin.model("product.product", "search", [("code", "=", codes["sku"])],
                            0, 1, None)  # fmt: skip
    [template] = admin.model("product.product", "read", [product], ["template"])
    admin.model("product.template", "write", [template["template"]], {"purchasable": False})
    sent = order(codes)

    with pytest.raises(ErpRejected, match="Tryton refused") as refused:
        TrytonErp(tryton.product()).submit(sent)

    assert "Product" in str(refused.value)  # Tryton's own sentence names the field
    assert purchases(tryton.admin(), sent.po_key) == []


def test_an_expired_session_logs_in_again(tryton: TrytonServer, codes: dict[str, str]) -> None:
    rpc = tryton.product()
    erp = TrytonErp(rpc)
    first = erp.submit(order(codes))
    rpc.call("common.db.logout")  # the session is gone, as after Tryton's idle timeout

    assert erp.find(first.po_key) == first.model_copy(update={"created": False})


def test_a_server_that_is_down_is_unavailable_not_rejected() -> None:
    rpc = TrytonRpc(f"http://127.0.0.1:{free_port()}", "replenish", "admin", "x", timeout=2)

    with pytest.raises(ErpUnavailable, match="did not answer"):
        TrytonErp(rpc).find("PO-1")


def test_a_wrong_password_is_a_clear_refusal(tryton: TrytonServer) -> None:
    rpc = TrytonRpc(tryton.url, tryton.database, "admin", "not-the-password")

    with pytest.raises(ErpRejected, match="refused the login 'admin'"):
        TrytonErp(rpc).find("PO-1")


def test_reconciliation_reads_our_purchases_back_per_sku_and_leaves_out_cancelled_ones(
    tryton: TrytonServer, codes: dict[str, str]
) -> None:
    erp = TrytonErp(tryton.product())
    kept, cancelled = f"RPL-{uuid.uuid4().hex[:10]}", f"RPL-{uuid.uuid4().hex[:10]}"
    erp.submit(order(codes, kept))
    erp.hand_over(order(codes, cancelled))  # quoted only, then cancelled in Tryton
    rpc = tryton.admin()
    [waiting] = purchases(rpc, cancelled)
    [purchase_id] = rpc.model("purchase.purchase", "search", [("reference", "=", cancelled)],
                              0, 1, None)  # fmt: skip
    rpc.model("purchase.purchase", "cancel", [purchase_id])
    assert waiting["state"] == "quotation"

    held = {o.po_key: o for o in erp.list_orders(None)}

    assert cancelled not in held
    assert held[kept].quantities == {codes["sku"]: Decimal("12"), codes["sku2"]: Decimal("5")}
    assert held[kept].order_date == date(2026, 11, 30)
    assert kept not in {o.po_key for o in erp.list_orders(date(2026, 12, 1))}
