"""ERP adapter for Tryton: purchases over JSON-RPC, our key in `purchase.reference`.

`reference` is Tryton's free-text, indexed field for the supplier's or the requester's
reference: searchable and editable in every state, so it carries the idempotency key.
Tryton has no unique constraint on it; the submission service serialises each key on our
side (claim + row lock), and the adapter looks the key up before creating.

Our SKUs, suppliers and locations become Tryton products, parties and warehouses by
code (product code = SKU, party code = supplier id, warehouse code = location), after
an optional translation table in the settings. Anything unmapped is `ErpRejected` for
that order, with a sentence that names what to set up, never a crash of the run.

Two ways to hand an order over (`approval`):
- "replenish": our approval already happened; create, quote and confirm the purchase.
- "erp": the ERP's approvers decide. Flagged orders are created and quoted only, and
  wait for a person in Tryton to confirm (approved) or cancel (rejected) them;
  `decisions` reads those verdicts back for `services.erp_approvals`.

A rollback cancels our purchase with Tryton's own `cancel` button, which Tryton allows
only in draft and quotation: a purchase confirmed (placed with the supplier) is refused
as too late, with its state named. The adapter creates purchases only, never purchase
requisitions, so there is no requisition to cancel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from integrations.erp.approval import ErpVerdict
from integrations.erp.base import (
    KEY_PREFIX,
    ErpCancellation,
    ErpHeldOrder,
    ErpOrder,
    ErpReceipt,
    ErpRejected,
)
from integrations.erp.tryton_rpc import TrytonRpc

MODEL = "purchase.purchase"
#: Purchase states that mean the ERP's approver confirmed the order.
_CONFIRMED = {"confirmed", "processing", "done"}
#: States of a purchase Tryton holds that is not placed with the supplier yet.
_UNPLACED = {"draft", "quotation"}


@dataclass(frozen=True)
class TrytonMapping:
    """Our ids -> Tryton codes, where they differ; anything not listed maps to itself."""

    products: Mapping[str, str] = field(default_factory=dict)
    suppliers: Mapping[str, str] = field(default_factory=dict)
    warehouses: Mapping[str, str] = field(default_factory=dict)


class TrytonErp:
    name = "tryton"

    def __init__(
        self,
        rpc: TrytonRpc,
        mapping: TrytonMapping | None = None,
        approval: Literal["replenish", "erp"] = "replenish",
    ) -> None:
        self.rpc = rpc
        self.mapping = mapping or TrytonMapping()
        self.approval = approval

    def find(self, po_key: str) -> ErpReceipt | None:
        """The purchase placed under this key. One still in draft or quotation is not
        placed yet (a crash before confirming, or one waiting for Tryton's approver):
        None, so that `submit` finishes it instead of a second one being created."""
        found = self._held(po_key)
        if not found or found["state"] in _UNPLACED:
            return None
        return ErpReceipt(po_key=po_key, external_ref=_ref(found), created=False)

    def submit(self, order: ErpOrder) -> ErpReceipt:
        """Create, quote and confirm the purchase; finish or adopt one that has the key."""
        found = self._held(order.po_key)
        if found is None:
            purchase = self._create(order)
        elif found["state"] in _UNPLACED:
            purchase = int(found["id"])  # our approval came first, or we crashed half-way
        else:
            return ErpReceipt(po_key=order.po_key, external_ref=_ref(found), created=False)
        if found is None or found["state"] == "draft":
            self.rpc.model(MODEL, "quote", [purchase])
        self.rpc.model(MODEL, "confirm", [purchase])
        return ErpReceipt(
            po_key=order.po_key, external_ref=self._number(purchase), created=found is None
        )

    def cancel(self, order: ErpOrder, reason: str) -> ErpCancellation:
        """Cancel our purchase while Tryton still allows it (draft, quotation); a placed
        one is too late. A purchase already cancelled (a retry) is left as it is."""
        key = order.po_key
        rows = self._purchases([("reference", "=", key)], ["number", "state"])
        live = [row for row in rows if row["state"] != "cancelled"]
        if not rows:
            return ErpCancellation(po_key=key, outcome="not_held")
        if not live:
            ref = _ref(rows[0])
            return ErpCancellation(po_key=key, outcome="already_cancelled", external_ref=ref)
        placed = [row for row in live if row["state"] not in _UNPLACED]
        if placed:
            row = placed[0]
            return ErpCancellation(
                po_key=key, outcome="too_late", external_ref=_ref(row),
                reason=f"Tryton purchase {_ref(row)} is {row['state']} (confirmed with the "
                "supplier); Tryton cancels a purchase only in draft or quotation",
            )  # fmt: skip
        self.rpc.model(MODEL, "cancel", [int(row["id"]) for row in live])
        return ErpCancellation(po_key=key, outcome="cancelled", external_ref=_ref(live[0]))

    def approves_in_erp(self) -> bool:
        return self.approval == "erp"

    def hand_over(self, order: ErpOrder) -> ErpReceipt:
        """Create and quote the purchase only: Tryton's approver confirms or cancels it."""
        found = self._held(order.po_key)
        if found is not None:
            return ErpReceipt(po_key=order.po_key, external_ref=_ref(found), created=False)
        purchase = self._create(order)
        self.rpc.model(MODEL, "quote", [purchase])
        return ErpReceipt(po_key=order.po_key, external_ref=self._number(purchase), created=True)

    def decisions(self, po_keys: list[str]) -> list[ErpVerdict]:
        """Verdicts the ERP's approvers took on handed-over orders (confirmed or cancelled)."""
        if not po_keys:
            return []
        rows = self._purchases(
            [("reference", "in", po_keys), ("state", "in", [*_CONFIRMED, "cancelled"])],
            ["reference", "number", "state", "confirmed_by.rec_name", "write_uid.login"],
        )
        verdicts = []
        for row in rows:
            approved = row["state"] in _CONFIRMED
            who = (row.get("write_uid.") or {}).get("login") or "unknown user"
            if approved and row.get("confirmed_by."):
                who = row["confirmed_by."]["rec_name"]
            verdicts.append(
                ErpVerdict(
                    po_key=row["reference"],
                    outcome="approve" if approved else "reject",
                    decided_by=who,
                    external_ref=_ref(row),
                )
            )
        return verdicts

    def list_orders(self, since: date | None) -> list[ErpHeldOrder]:
        """Our purchases as Tryton holds them now, for `replenish reconcile`; a cancelled
        one counts as not held. Quantities per SKU, by product code back to our SKU."""
        domain: list[Any] = [("reference", "like", f"{KEY_PREFIX}%"), ("state", "!=", "cancelled")]
        if since is not None:
            domain.append(("purchase_date", ">=", since))
        rows = self._purchases(domain, ["reference", "number", "purchase_date", "lines"])
        line_ids = [line for row in rows for line in row["lines"]]
        lines = self.rpc.model("purchase.line", "read", line_ids, ["product.code", "quantity"])
        ours = {code: sku for sku, code in self.mapping.products.items()}
        by_id = {line["id"]: line for line in lines}
        held = []
        for row in rows:
            quantities: dict[str, Decimal] = {}
            for line in (by_id[i] for i in row["lines"]):
                code = (line.get("product.") or {}).get("code") or ""
                sku = ours.get(code, code)
                quantities[sku] = quantities.get(sku, Decimal(0)) + Decimal(str(line["quantity"]))
            held.append(ErpHeldOrder(po_key=row["reference"], external_ref=_ref(row),
                                     order_date=row.get("purchase_date"),
                                     quantities=quantities))  # fmt: skip
        return held

    def _create(self, order: ErpOrder) -> int:
        party = self._by_code("party.party", self.mapping.suppliers, order.supplier_id, "supplier")
        warehouse = self._by_code(
            "stock.location", self.mapping.warehouses, order.location, "warehouse",
            extra=[("type", "=", "warehouse")],
        )  # fmt: skip
        address = self.rpc.model("party.address", "search", [("party", "=", party)], 0, 1, None)
        if not address:
            raise ErpRejected(
                f"{order.po_key}: Tryton party {order.supplier_id!r} has no address to invoice"
            )
        lines = [self._line(line.sku, party, line.quantity, line.unit_price)
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
        return int(self.rpc.model(MODEL, "create", [values])[0])

    def _line(self, sku: str, party: int, quantity: Any, price: Any) -> dict[str, Any]:
        product = self._by_code("product.product", self.mapping.products, sku, "product")
        unit = self.rpc.model("product.product", "read", [product], ["purchase_uom"])[0]
        suppliers = self.rpc.model(
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
        self,
        model: str,
        table: Mapping[str, str],
        ours: str,
        what: str,
        extra: list[Any] | None = None,
    ) -> int:
        code = table.get(ours, ours)
        found = self.rpc.model(model, "search", [("code", "=", code), *(extra or [])], 0, 2, None)
        if len(found) != 1:
            problem = "no" if not found else "more than one"
            raise ErpRejected(
                f"Tryton has {problem} {what} with code {code!r} (for our {ours!r}): create it "
                f"in Tryton or map it under [erp.tryton.{what}s] in the settings"
            )
        return int(found[0])

    def _held(self, po_key: str) -> dict[str, Any] | None:
        found = self._purchases([("reference", "=", po_key)], ["number", "state"])
        return found[0] if found else None

    def _purchases(self, domain: list[Any], fields: list[str]) -> list[dict[str, Any]]:
        # Cancelled ones count too: a key Tryton holds, in any state, is never sent twice.
        return list(self.rpc.model(MODEL, "search_read", domain, 0, None, [("id", "ASC")], fields))

    def _number(self, purchase: int) -> str:
        row = self.rpc.model(MODEL, "read", [purchase], ["number"])[0]
        return _ref({"id": purchase, **row})


def _ref(row: Mapping[str, Any]) -> str:
    """Tryton's own name for the purchase: its number once quoted, else its id."""
    return str(row.get("number") or f"purchase.purchase,{row['id']}")
