"""What a Tryton database must hold before a night relies on it, read as the product's user.

Each problem is one sentence that says what to set up and where (docs/erp.md, "Tryton
from nothing to a first night"). Read with the product's own login, never an
administrator's: what the product's user cannot read or press is exactly what would
fail at night.

Rights, for both approval modes: the user is in the "Purchase" group (create, quote,
cancel and read purchases, parties, products, locations) and has a company. It must
also be allowed to press the purchase "Confirm" button, because it confirms the orders
replenish approved (automatically or on its review page): where that button is
restricted to groups (approval inside Tryton), the user must be in one of them. In
approval mode "erp" the button must be restricted (else any purchaser confirms a flagged
order) and at least one other user must be in that group (else nobody approves).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from integrations.erp.tryton_purchase import TrytonMapping
from integrations.erp.tryton_rpc import TrytonRpc

PURCHASE_GROUP = "Purchase"


def rights_problems(rpc: TrytonRpc, approval: str) -> list[str]:
    """The product's user, its company and its rights; [] when they are as documented."""
    who = f"Tryton user {rpc.login!r}"
    preferences = rpc.context()  # logs in: a wrong password raises TrytonLoginFailed
    problems = []
    if not preferences.get("company"):
        problems.append(f"{who} has no company: set its Company (and Companies) in Tryton")
    mine = set(preferences.get("groups") or [])
    purchase = rpc.model("res.group", "search", [("name", "=", PURCHASE_GROUP)], 0, None, None)
    if not mine & set(purchase):
        problems.append(f"{who} is not in the group {PURCHASE_GROUP!r}: add it (it creates, "
                        "quotes and cancels purchases)")  # fmt: skip
    button = rpc.model("ir.model.button", "search_read",
                       [("model", "=", "purchase.purchase"), ("name", "=", "confirm")],
                       0, 1, None, ["groups"])  # fmt: skip
    allowed = set(button[0]["groups"]) if button else set()
    names = _names(rpc, "res.group", allowed)
    if allowed and not mine & allowed:
        problems.append(
            f"{who} may not press Confirm on purchases (the button is restricted to "
            f"{_listed(names)}): add it to {_listed(names, 'or')}, or replenish cannot "
            "confirm the orders it approved and none would reach the supplier"
        )
    if approval == "erp":
        if not allowed:
            problems.append(
                "approval in Tryton (erp.tryton.approval = 'erp') needs the purchase Confirm "
                "button restricted to an approver group (Administration > Models > Buttons, "
                "purchase.purchase confirm): as it is, any purchaser confirms a flagged order"
            )
        elif not _other_members(rpc, allowed, rpc.user_id):
            problems.append(
                f"nobody but {rpc.login!r} is in {_listed(names)}: add the people who "
                "approve purchases there, or the flagged orders wait for ever"
            )
    return problems


def master_data_problems(
    rpc: TrytonRpc,
    mapping: TrytonMapping,
    suppliers: Iterable[str],
    skus: Iterable[str],
    locations: Iterable[str],
) -> list[str]:
    """Suppliers, products and warehouses our data names but Tryton lacks (by code)."""
    problems = []
    wanted = {ours: mapping.suppliers.get(ours, ours) for ours in suppliers}
    rows = _by_code(rpc, "party.party", set(wanted.values()), ["code", "addresses"])
    for ours, code in sorted(wanted.items()):
        if code not in rows:
            problems.append(f"supplier {ours!r}: Tryton has no party with code {code!r}")
        elif not rows[code]["addresses"]:
            problems.append(f"supplier {ours!r}: Tryton party {code!r} has no address")
    wanted = {ours: mapping.products.get(ours, ours) for ours in skus}
    fields = ["code", "purchasable", "purchase_uom"]
    rows = _by_code(rpc, "product.product", set(wanted.values()), fields)
    for ours, code in sorted(wanted.items()):
        if code not in rows:
            problems.append(f"item {ours!r}: Tryton has no product with code {code!r}")
        elif not rows[code]["purchasable"] or not rows[code]["purchase_uom"]:
            problems.append(f"item {ours!r}: Tryton product {code!r} is not purchasable "
                            "(tick Purchasable and set a purchase unit)")  # fmt: skip
    wanted = {ours: mapping.warehouses.get(ours, ours) for ours in locations}
    rows = _by_code(rpc, "stock.location", set(wanted.values()), ["code"], warehouses=True)
    problems += [
        f"location {ours!r}: Tryton has no warehouse with code {code!r}"
        for ours, code in sorted(wanted.items())
        if code not in rows
    ]
    return problems


def _by_code(
    rpc: TrytonRpc, model: str, codes: set[str], fields: list[str], warehouses: bool = False
) -> Mapping[str, dict[str, Any]]:
    if not codes:
        return {}
    domain: list[Any] = [("code", "in", sorted(codes))]
    if warehouses:
        domain.append(("type", "=", "warehouse"))
    rows = rpc.model(model, "search_read", domain, 0, None, None, fields)
    return {row["code"]: row for row in rows}


def _other_members(rpc: TrytonRpc, groups: set[int], me: int | None) -> list[int]:
    domain = [("groups", "in", sorted(groups)), ("id", "!=", me or 0)]
    return list(rpc.model("res.user", "search", domain, 0, None, None))


def _names(rpc: TrytonRpc, model: str, ids: set[int]) -> list[str]:
    rows = rpc.model(model, "read", sorted(ids), ["name"]) if ids else []
    return [str(row["name"]) for row in rows]


def _listed(names: list[str], word: str = "and") -> str:
    quoted = [f"{name!r}" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {word} {quoted[-1]}"
