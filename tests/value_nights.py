"""The scenario's nights (tests.value_scenario): the real nightly flow, the scripted
buyer deciding through `services.decisions`, approved orders sent to the ERP as
`replenish submit` sends them, and the next extract drawn from what happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from value_scenario import FACTOR, Shelf, buyer_quantities, first_extract, next_extract

from contracts.value_report import ValueReport
from domain.actors import Actor
from replenish.bootstrap import Services, build
from services.decisions import DecideOrder, decide_order
from services.refusals import InvalidDecision
from services.submission import submit_approved
from services.value_report import build_value_report
from settings import load_settings
from storage.models import Forecast, PurchaseOrder

BUYER_CHANNEL = "scenario-buyer"
# The scenario the value report's tests share (one per database, once per session).
START, NIGHTS = date(2026, 11, 2), 4
ADMIN, OWNER = "admin@example.com", "owner@example.com"


@dataclass
class Scenario:
    root: Path
    last: date
    services: Services

    def report(self) -> ValueReport:
        return build_value_report(self.services.uow, self.services.settings, until=self.last,
                                  weeks=NIGHTS + 1)  # fmt: skip


def run_scenario(root: Path, start: date, nights: int, items: int, seed: int) -> date:
    """`nights` nights a week apart from `start`; returns the last night's date."""
    from flows.nightly import nightly_replenishment

    rng = np.random.default_rng(seed)
    folder = root / "night-1"
    shelf: Shelf = first_extract(folder, start, items, seed)
    as_of = start
    for night in range(1, nights + 1):
        state = nightly_replenishment(source=str(folder.resolve()), as_of=as_of, return_state=True)
        assert state.is_completed(), state.message
        built = build(load_settings(None))
        try:
            if night == 1:
                follow_the_forecast(built, shelf)
            decide_as_buyer(built, folder)
            submit_approved(built.uow, built.erp, Actor("scenario", "cli"))
            ours = delivered_later(built)
        finally:
            built.engine.dispose()
        if night == nights:
            return as_of
        following = root / f"night-{night + 1}"
        as_of = next_extract(folder, following, shelf, as_of, ours, rng)
        folder = following
    return as_of


def follow_the_forecast(built: Services, shelf: Shelf) -> None:
    """From now on each item-location sells what night 1 forecast per day, times its
    category's factor: the forecast is right on average except where the buyer knows
    better (tests.value_scenario.FACTOR)."""
    with built.uow() as uow:
        rows = uow.session.query(Forecast.sku, Forecast.location, Forecast.mean_per_period).all()
    rate = pd.DataFrame(rows, columns=["sku", "location", "mean"]).drop_duplicates(
        ["sku", "location"], keep="last"
    )
    stock = shelf.stock.drop(columns=["rate"]).merge(rate, on=["sku", "location"], how="left")
    factor = stock["category"].map(FACTOR).fillna(1.0)
    shelf.stock = stock.assign(rate=stock.pop("mean").fillna(0.0).clip(lower=0.0) * factor)


def decide_as_buyer(built: Services, folder: Path) -> int:
    """Approve every order waiting, with the scripted buyer's quantities; the number of
    lines changed."""
    categories = pd.read_csv(folder / "items.csv")[["sku", "location", "category", "pack_size"]]
    with built.uow() as uow:
        waiting = [
            (o.po_key, [p for p in (o.approver, o.second_approver) if p], o.location,
             [(line.sku, line.proposed_quantity, (line.details or {}).get("demand_mean", 0.0))
              for line in o.lines])
            for o in uow.orders.waiting_for_decision()
        ]  # fmt: skip
    changed = 0
    for po_key, people, location, lines in waiting:
        frame = pd.DataFrame(lines, columns=["sku", "proposed", "forecast"]).assign(
            location=location
        )
        frame = frame.merge(categories, on=["sku", "location"], how="left")
        quantities = buyer_quantities(frame)
        for person in people:
            command = DecideOrder(po_key, "approve", person, BUYER_CHANNEL,
                                  quantities=quantities)  # fmt: skip
            try:
                decide_order(built.uow, built.settings.approvals, command)
            except InvalidDecision:
                decide_order(built.uow, built.settings.approvals,
                             DecideOrder(po_key, "approve", person, BUYER_CHANNEL))  # fmt: skip
                quantities = {}
            quantities, changed = {}, changed + len(quantities)
    return changed


def delivered_later(built: Services) -> pd.DataFrame:
    """Our orders the ERP holds: po_key, sku, location, quantity, expected_delivery,
    supplier_id (the quantity a buyer approved where they changed it)."""
    with built.uow() as uow:
        rows = [
            (o.po_key, line.sku, line.location,
             float(line.approved_quantity if line.approved_quantity is not None
                   else line.proposed_quantity),
             o.expected_delivery.isoformat(), o.supplier_id)
            for o in uow.session.query(PurchaseOrder).where(
                PurchaseOrder.status.in_(["submitted", "confirmed"]))
            for line in o.lines
        ]  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=["po_key", "sku", "location", "quantity", "expected_delivery", "supplier_id"]
    )
    return frame[frame["quantity"] > 0]
