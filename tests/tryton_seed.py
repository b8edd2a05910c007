"""The master data a purchase needs in a fresh Tryton database, created over JSON-RPC.

What an implementer would set up once by hand: a company (with its currency and the
admin user in it), supplier parties with an address, goods products, and warehouses,
each carrying the code replenish knows it by (party code = supplier_id, product code =
sku, warehouse code = location). `invoice_method = 'manual'` on the purchases means no
chart of accounts is needed. Also an approver: a user in "Purchase Requisition Approval"
and in the group the purchase `confirm` button is restricted to, for approval in the ERP.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from integrations.erp.tryton_rpc import TrytonRpc

APPROVER_LOGIN = "approver"
APPROVER_PASSWORD = "approver-for-tests"
APPROVER_GROUP = "Purchase Approval"
#: The product's own Tryton user, set up as docs/erp.md says (never admin in the tests).
PRODUCT_LOGIN = "replenish"
PRODUCT_PASSWORD = "replenish-for-tests"


def _one(rpc: TrytonRpc, model: str, domain: list[Any]) -> int:
    found = rpc.model(model, "search", domain, 0, 1, None)
    if not found:
        raise LookupError(f"no {model} matching {domain}")
    return int(found[0])


def create_company(rpc: TrytonRpc, currency_code: str = "EUR") -> int:
    """The company, its currency, the admin user in it; the context reloaded."""
    currency = rpc.model(
        "currency.currency", "create",
        [{"name": currency_code, "code": currency_code, "symbol": currency_code,
          "rounding": Decimal("0.01"), "digits": 2}],
    )[0]  # fmt: skip
    party = rpc.model("party.party", "create", [{"name": "Replenish Test Company"}])[0]
    company = rpc.model("company.company", "create", [{"party": party, "currency": currency}])[0]
    rpc.context()  # logs in
    values = {"companies": [["add", [company]]], "company": company}
    rpc.model("res.user", "write", [rpc.user_id], values)
    rpc.reload_context()
    return int(company)


def create_supplier(rpc: TrytonRpc, code: str, name: str) -> int:
    return int(
        rpc.model(
            "party.party", "create",
            [{"name": name, "code": code, "addresses": [["create", [{"street": "1 Test St"}]]]}],
        )[0]
    )  # fmt: skip


def create_product(rpc: TrytonRpc, sku: str, cost: Decimal = Decimal("1.00")) -> int:
    unit = _one(rpc, "product.uom", [("name", "=", "Unit")])
    template = rpc.model(
        "product.template", "create",
        [{"name": f"Item {sku}", "code": sku, "type": "goods", "default_uom": unit,
          "purchasable": True, "purchase_uom": unit, "list_price": cost,
          "products": [["create", [{}]]]}],
    )[0]  # fmt: skip
    return _one(rpc, "product.product", [("template", "=", template)])


def create_warehouse(rpc: TrytonRpc, code: str) -> int:
    """A warehouse with its input, output and storage locations (Tryton requires them)."""
    if code == "WH":
        return _one(rpc, "stock.location", [("code", "=", "WH")])
    parts = rpc.model(
        "stock.location", "create",
        [{"name": f"{code} {part}", "type": "storage"} for part in ("Input", "Output", "Storage")],
    )  # fmt: skip
    return int(
        rpc.model(
            "stock.location", "create",
            [{"name": f"Warehouse {code}", "code": code, "type": "warehouse",
              "input_location": parts[0], "output_location": parts[1],
              "storage_location": parts[2]}],
        )[0]
    )  # fmt: skip


def create_approver(rpc: TrytonRpc, company: int) -> int:
    """A user who may approve requisitions and confirm purchases; the button restricted."""
    group = rpc.model("res.group", "create", [{"name": APPROVER_GROUP}])[0]
    groups = rpc.model(
        "res.group", "search",
        [("name", "in", ["Purchase", "Purchase Requisition", "Purchase Requisition Approval"])],
        0, None, None,
    )  # fmt: skip
    # Only the approver group may press "confirm" on a purchase: replenish quotes, a
    # person confirms. (Tryton's own way to keep an order for approval.)
    button = _one(rpc, "ir.model.button", [("model", "=", "purchase.purchase"),
                                           ("name", "=", "confirm")])  # fmt: skip
    rpc.model("ir.model.button", "write", [button], {"groups": [["add", [group]]]})
    rpc.model("res.user", "write", [rpc.user_id], {"groups": [["add", [group]]]})
    employee_party = rpc.model("party.party", "create", [{"name": "Ann Approver"}])[0]
    employee = rpc.model(
        "company.employee", "create", [{"party": employee_party, "company": company}]
    )[0]
    return int(
        rpc.model(
            "res.user", "create",
            [{"name": "Ann Approver", "login": APPROVER_LOGIN, "password": APPROVER_PASSWORD,
              "groups": [["add", [*groups, group]]], "companies": [["add", [company]]],
              "company": company, "employees": [["add", [employee]]], "employee": employee}],
        )[0]
    )  # fmt: skip


def create_product_user(rpc: TrytonRpc, company: int, confirm_group: str = APPROVER_GROUP) -> int:
    """docs/erp.md, "The product's user": in "Purchase" and in the group the purchase
    Confirm button is restricted to, with the company set. Nothing else."""
    names = ["Purchase", confirm_group] if confirm_group else ["Purchase"]
    groups = rpc.model("res.group", "search", [("name", "in", names)], 0, None, None)
    return int(
        rpc.model(
            "res.user", "create",
            [{"name": "Replenish", "login": PRODUCT_LOGIN, "password": PRODUCT_PASSWORD,
              "groups": [["add", groups]], "companies": [["add", [company]]],
              "company": company}],
        )[0]
    )  # fmt: skip


def product_user(url: str, database: str) -> TrytonRpc:
    """A connection as the product's own user."""
    return TrytonRpc(url, database, PRODUCT_LOGIN, PRODUCT_PASSWORD)


def ensure_master_data(
    rpc: TrytonRpc, suppliers: set[str], skus: set[str], locations: set[str]
) -> None:
    """Create the parties, products and warehouses with these codes that are missing."""
    for model, codes, create in (
        ("party.party", suppliers, lambda code: create_supplier(rpc, code, f"Supplier {code}")),
        ("product.product", skus, lambda code: create_product(rpc, code)),
        ("stock.location", locations, lambda code: create_warehouse(rpc, code)),
    ):
        have = rpc.model(model, "search_read", [("code", "in", sorted(codes))], 0, None, None,
                         ["code"])  # fmt: skip
        for code in sorted(codes - {row["code"] for row in have}):
            create(code)
