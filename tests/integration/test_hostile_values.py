"""Property: no value stops the night. Extreme numbers, 10 MB cells, long identifiers and
control characters go through the gate and into the database's quarantine records on
SQLite and PostgreSQL: no crash, every row accounted for, every refusal one line."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from hostile import HOSTILE_QUANTITIES, hostile_extracts
from hypothesis import HealthCheck, Phase, given, settings
from order_factory import pending_order, uow_factory
from sqlalchemy import Engine

from cli.commands.review_decide import parse_quantities as cli_quantities
from dataquality import ValidationRules, gate_breaches, validate
from dataquality.contract import CONTRACTS, ColumnType
from purchasing import po_key
from services.decisions import InvalidDecision, decide
from storage import records
from storage.database import session_factory
from storage.models import PurchaseOrder
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork
from web.forms import quantities_of

AS_OF = date(2024, 6, 30)
RULES = ValidationRules()
BOUNDS = {
    "unit_cost": RULES.max_unit_cost,
    "lead_time_days": RULES.max_lead_time_days,
    "pack_size": RULES.max_quantity,
    "moq": RULES.max_quantity,
    "max_order_qty": RULES.max_quantity,
    "quantity": RULES.max_quantity,
    "on_hand": RULES.max_quantity,
    "min_order_value": RULES.max_order_value,
}


@pytest.mark.slow  # 30 hostile extracts (10 MB cells among them) validated and stored
@settings(
    max_examples=30,
    deadline=None,
    # shrinking re-validates 10 MB cells many times over: report the example as found
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frames=hostile_extracts())
def test_hostile_values_are_quarantined_and_stored_never_raised(
    engine: Engine, frames: dict[str, pd.DataFrame]
) -> None:
    result = validate(frames, as_of=AS_OF, rules=RULES)

    # every row accounted for, per file
    counts = result.counts.set_index("file")
    for kind, frame in frames.items():
        row = counts.loc[f"{kind}.csv"]
        assert row["read"] == len(frame)
        # the counts agree with the per-row record, which is built separately
        recorded = result.issues[result.issues["file"] == f"{kind}.csv"]["disposition"]
        assert row["quarantined"] == int((recorded == "quarantined").sum())
        assert row["repaired"] == int((recorded == "repaired").sum())
    # every refusal is one readable line, whatever the cell held
    for detail in result.issues["detail"]:
        assert "\n" not in detail
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in detail), detail
        assert len(detail) < 2_000
    assert all(isinstance(message, str) for message in gate_breaches(result, RULES))
    # what the gate lets through fits every column and every bound
    for kind, table in result.tables.items():
        for column in CONTRACTS[kind].columns:
            values = table[column.name]
            if column.max_length is not None:
                assert (values.astype(str).str.len() <= column.max_length).all()
            if column.type is ColumnType.NUMBER and column.name in BOUNDS and len(values):
                finite = values.dropna().astype(float)
                assert all(math.isfinite(v) and abs(v) <= BOUNDS[column.name] for v in finite)
    for supplier, location in result.tables["items"][["supplier_id", "location"]].itertuples(
        index=False
    ):
        assert len(po_key(AS_OF, supplier, location)) <= 80

    # the quarantine record itself never raises on the database (VARCHAR, JSON, NUL)
    with UnitOfWork(session_factory(engine)) as uow:
        run_id = uuid.uuid4().hex
        uow.runs.start(run_id, AS_OF, "hostile", datetime.now(UTC), None)
        uow.runs.add_input_files(run_id, records.input_file_rows(result.counts))
        uow.runs.add_dispositions(run_id, records.disposition_rows(result.issues))
        uow.commit()
        stored = uow.runs.dispositions(run_id)
    assert len(stored) == int((result.issues["disposition"] == "quarantined").sum())


def test_the_largest_line_the_gate_allows_fits_the_columns(engine: Engine) -> None:
    """Quantities and costs at their bounds: a NUMERIC overflow cannot stop a night."""
    quantity = Decimal("1500000000.000")  # max_quantity x two years of daily demand
    cost = Decimal(str(RULES.max_unit_cost))
    value = (quantity * cost).quantize(Decimal("0.01"))
    key = po_key(AS_OF, "S" * 64, "L" * 64) + "-R"
    with UnitOfWork(session_factory(engine)) as uow:
        run_id = uuid.uuid4().hex
        uow.runs.start(run_id, AS_OF, "bounds", datetime.now(UTC), None)
        line = {
            "sku": "X" * 64, "location": "L" * 64, "proposed_quantity": quantity,
            "unit_cost": cost, "line_value": value, "explanation": "", "details": {},
        }  # fmt: skip
        order = {
            "po_key": key, "supplier_id": "S" * 64, "location": "L" * 64,
            "order_date": AS_OF, "expected_delivery": AS_OF, "currency": "EURXXXXX",
            "value": value,
        }  # fmt: skip
        uow.orders.add_proposal(run_id, order, [line], [], Actor("test", "pytest"))
        uow.commit()
    with UnitOfWork(session_factory(engine)) as uow:
        po = uow.orders.get(key)
        assert po is not None
        assert po.value == value
        assert isinstance(po, PurchaseOrder)
        assert po.lines[0].proposed_quantity == quantity


@pytest.mark.parametrize("typed", HOSTILE_QUANTITIES, ids=lambda t: repr(t[:12]))
@pytest.mark.parametrize("channel", ["review-page", "cli"])
def test_a_hostile_quantity_is_refused_in_one_line_or_decided_once(
    engine: Engine, typed: str, channel: str
) -> None:
    """What a person types as a quantity (the page's `qty:<sku>` field, the CLI's `--qty`)
    goes through the same parser and decision service as in production: either one
    plausible decision is recorded, or a one-line refusal and the order is unchanged.
    Never a crash, never a 1e30 that blocks every later night's submission."""
    uows = uow_factory(engine)
    key = pending_order(uows)
    try:
        if channel == "review-page":
            quantities = quantities_of({"decision": "approve", "qty:SKU-1": typed})
        else:
            quantities = cli_quantities([f"SKU-1={typed}"])
        decide(uows, key, "approve", Actor("ann@example.com", channel), quantities=quantities)
    except InvalidDecision as refusal:
        message = str(refusal)
        assert "\n" not in message
        assert len(message) < 2_000
        with uows() as uow:
            po = uow.orders.get(key)
            assert po is not None
            assert po.status == "pending_review"
            assert all(line.approved_quantity is None for line in po.lines)
        return
    with uows() as uow:
        po = uow.orders.get(key)
        assert po is not None
        assert po.status == "approved"
        assert len(uow.orders.decisions_on(po.id)) == 1
        for line in po.lines:
            quantity = line.approved_quantity
            if quantity is not None:
                assert quantity.is_finite()
                assert Decimal(0) <= quantity < Decimal("1e9")
