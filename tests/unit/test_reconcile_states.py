"""Reconciliation with approval inside the ERP: routine states apart, real differences
counted (the exit code) and the worst ranked first. `compare` is pure: table-driven."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from integrations.erp.base import ErpHeldOrder
from services.reconciliation import as_markdown, compare


def held(key: str, placed: bool) -> ErpHeldOrder:
    return ErpHeldOrder(
        po_key=key, external_ref=f"P-{key}", quantities={"SKU-1": Decimal(4)}, placed=placed,
        changed_by="Ann Approver (approver)", changed_at=datetime(2026, 12, 7, 9, 30),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("our_status", "placed", "state", "is_difference"),
    [
        ("pending_review", False, "waiting_in_erp", False),
        ("pending_review", True, "decided_in_erp", False),
        ("rejected", False, "to_cancel_in_erp", False),
        ("expired", False, "to_cancel_in_erp", False),
        ("rejected", True, "confirmed_despite", True),
        ("withdrawn", True, "confirmed_despite", True),
        ("cancelled", True, "confirmed_despite", True),
        ("failed", False, "not_recorded_here", True),  # approved here, stuck as a quotation
        ("unknown", True, "not_recorded_here", True),  # entered by hand under our key
    ],
)
def test_each_erp_order_we_did_not_send_lands_in_one_state(
    our_status: str, placed: bool, state: str, is_difference: bool
) -> None:
    result = compare({}, [held("RPL-1", placed)], {"RPL-1": our_status}, erp="tryton", since=None)

    found = getattr(result, state)
    keys = [p.po_key for p in found] if state == "confirmed_despite" else list(found)
    assert keys == ["RPL-1"]
    assert result.agrees is not is_difference
    assert result.differences == int(is_difference)


def test_only_waiting_quotations_agree_and_a_confirmed_rejection_is_listed_first() -> None:
    waiting = [held(f"RPL-W{i}", placed=False) for i in range(3)]
    quiet = compare({}, waiting, dict.fromkeys([o.po_key for o in waiting], "pending_review"),
                    erp="tryton", since=None)  # fmt: skip
    assert quiet.agrees
    assert "- 3 wait for the ERP's approvers (quotations)" in as_markdown(quiet)

    ours = {"RPL-SENT": {"SKU-1": Decimal(5)}}  # a buyer changed 5 to 4 in the ERP
    loud = compare(
        ours, [*waiting, held("RPL-SENT", True), held("RPL-NO", True)],
        {**dict.fromkeys([o.po_key for o in waiting], "pending_review"), "RPL-NO": "rejected"},
        erp="tryton", since=None,
    )  # fmt: skip
    assert loud.differences == 2
    rows = as_markdown(loud).split("| --- | --- | --- | --- |\n")[1].splitlines()
    assert rows[0] == (
        "| RPL-NO | rejected here, CONFIRMED in the ERP as P-RPL-NO by Ann Approver (approver) "
        "at 2026-12-07 09:30 UTC | rejected | placed |"
    )
    assert rows[1] == "| RPL-SENT | quantity of SKU-1 | 5 | 4 |"
    assert loud.as_dict()["waiting_in_erp"] == {f"RPL-W{i}": f"P-RPL-W{i}" for i in range(3)}
