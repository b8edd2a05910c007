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
  `decisions` reads those verdicts back for `services.erp_approvals`. Orders approved
  here (automatically or on our review page) are still confirmed by the product's user,
  so it must be allowed to press Confirm (`setup_problems` says so before a night).

Flagged orders become purchase quotations, not purchase requisitions: a quotation is
the very purchase that will be placed, under our key, so the approver confirms exactly
what replenish proposed, the adapter finds and adopts it by key, and reconciliation and
a rollback see one record. A requisition would turn into purchase requests and then into
purchases a purchaser assembles by hand, without our key (docs/erp.md says more).

A rollback cancels our purchase with Tryton's own `cancel` button, which Tryton allows
only in draft and quotation: a purchase confirmed (placed with the supplier) is refused
as too late, with its state named. The same cancel withdraws the quotation of an order
rejected (or expired) here (`services.erp_truth`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
)
from integrations.erp.tryton_checks import master_data_problems, rights_problems
from integrations.erp.tryton_purchase import TrytonMapping, purchase_values
from integrations.erp.tryton_rpc import TrytonRpc

__all__ = ["TrytonErp", "TrytonMapping"]

MODEL = "purchase.purchase"
#: Purchase states that mean the ERP's approver confirmed the order.
_CONFIRMED = {"confirmed", "processing", "done"}
#: States of a purchase Tryton holds that is not placed with the supplier yet.
_UNPLACED = {"draft", "quotation"}


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

    def setup_problems(self, suppliers: set[str], skus: set[str], locations: set[str]) -> list[str]:
        """What this Tryton lacks for replenish, read as the product's own user
        (`integrations.erp.tryton_checks`): rights first, then the master data named."""
        problems = rights_problems(self.rpc, self.approval)
        return problems + master_data_problems(self.rpc, self.mapping, suppliers, skus, locations)

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
        """Verdicts the ERP's approvers took on handed-over orders (confirmed or cancelled).

        The person is the Tryton user who last wrote the purchase (the one who pressed
        confirm or cancel), named the same way for both verdicts: login and full name.
        """
        if not po_keys:
            return []
        rows = self._purchases(
            [("reference", "in", po_keys), ("state", "in", [*_CONFIRMED, "cancelled"])],
            ["reference", "number", "state", "write_date", "write_uid.login", "write_uid.name"],
        )
        return [
            ErpVerdict(
                po_key=row["reference"],
                outcome="approve" if row["state"] in _CONFIRMED else "reject",
                decided_by=_user(row).login,
                decided_by_name=_user(row).name,
                decided_at=row.get("write_date"),
                external_ref=_ref(row),
            )
            for row in rows
        ]

    def list_orders(self, since: date | None) -> list[ErpHeldOrder]:
        """Our purchases as Tryton holds them now, for `replenish reconcile`; a cancelled
        one counts as not held, a draft or quotation as waiting (not placed yet).
        Quantities per SKU, by product code back to our SKU."""
        domain: list[Any] = [("reference", "like", f"{KEY_PREFIX}%"), ("state", "!=", "cancelled")]
        if since is not None:
            domain.append(("purchase_date", ">=", since))
        fields = ["reference", "number", "purchase_date", "lines", "state", "write_date",
                  "write_uid.login", "write_uid.name"]  # fmt: skip
        rows = self._purchases(domain, fields)
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
                                     quantities=quantities,
                                     placed=row["state"] not in _UNPLACED,
                                     changed_by=str(_user(row)),
                                     changed_at=row.get("write_date")))  # fmt: skip
        return held

    def _create(self, order: ErpOrder) -> int:
        values = purchase_values(self.rpc, self.mapping, order)
        return int(self.rpc.model(MODEL, "create", [values])[0])

    def _held(self, po_key: str) -> dict[str, Any] | None:
        found = self._purchases([("reference", "=", po_key)], ["number", "state"])
        return found[0] if found else None

    def _purchases(self, domain: list[Any], fields: list[str]) -> list[dict[str, Any]]:
        # Cancelled ones count too: a key Tryton holds, in any state, is never sent twice.
        return list(self.rpc.model(MODEL, "search_read", domain, 0, None, [("id", "ASC")], fields))

    def _number(self, purchase: int) -> str:
        row = self.rpc.model(MODEL, "read", [purchase], ["number"])[0]
        return _ref({"id": purchase, **row})


@dataclass(frozen=True)
class _User:
    login: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.login})" if self.name else self.login


def _user(row: Mapping[str, Any]) -> _User:
    """The Tryton user who last wrote the purchase, as login and full name."""
    user = row.get("write_uid.") or {}
    return _User(str(user.get("login") or "unknown user"), str(user.get("name") or ""))


def _ref(row: Mapping[str, Any]) -> str:
    """Tryton's own name for the purchase: its number once quoted, else its id."""
    return str(row.get("number") or f"purchase.purchase,{row['id']}")
