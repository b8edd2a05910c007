"""`replenish submit` beside a nightly run: two submitters at once send each order once.

The ERP here is the real file-drop adapter, wrapped to count how often the submit stage
asks it to create an order and to take its time doing so (the window in which a second
process could slip in). On PostgreSQL, where two transactions truly run at once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from order_factory import pending_order, uow_factory
from sqlalchemy import Engine

from integrations.erp.base import ErpCancellation, ErpOrder, ErpReceipt
from integrations.erp.file_drop import FileDropErp
from services.decisions import decide
from services.submission import submit_approved
from storage.orders import Actor

pytestmark = pytest.mark.postgres


class SlowCountingErp:
    """The real file drop, counting create calls and slowed down inside them."""

    name = "file_drop"

    def __init__(self, folder: Path) -> None:
        self.real = FileDropErp(folder)
        self.created: list[str] = []
        self.lock = threading.Lock()

    def find(self, po_key: str) -> ErpReceipt | None:
        return self.real.find(po_key)

    def submit(self, order: ErpOrder) -> ErpReceipt:
        with self.lock:
            self.created.append(order.po_key)
        time.sleep(0.3)
        return self.real.submit(order)

    def cancel(self, order: ErpOrder, reason: str) -> ErpCancellation:
        return self.real.cancel(order, reason)


def test_two_submitters_at_once_send_each_order_once(postgres_url: str, tmp_path: Path) -> None:
    from storage.database import make_engine

    engine: Engine = make_engine(postgres_url)
    try:
        uows = uow_factory(engine)
        keys = [pending_order(uows) for _ in range(3)]
        for key in keys:
            decide(uows, key, "approve", Actor("ann@example.com", "cli"))
        erp = SlowCountingErp(tmp_path / "erp-drop")
        results, errors = [], []
        start = threading.Barrier(2)

        def submitter(name: str) -> None:
            start.wait()
            try:
                results.append(submit_approved(uows, erp, Actor(name, "test")))
            except Exception as error:  # reported below: neither submitter may fail
                errors.append(error)

        threads = [threading.Thread(target=submitter, args=(n,)) for n in ("night", "cli")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert len(results) == 2
        mine = [key for key in erp.created if key in keys]
        assert sorted(mine) == sorted(keys)  # each of them created exactly once
        sent = [key for result in results for key in result.submitted if key in keys]
        assert sorted(sent) == sorted(keys)
        with uows() as uow:
            assert {uow.orders.get(key).status for key in keys} == {"submitted"}  # type: ignore[union-attr]
    finally:
        engine.dispose()
