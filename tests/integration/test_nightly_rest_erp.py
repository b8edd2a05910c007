"""The nightly flow with the REST ERP: tonight's approved orders reach a real HTTP ERP on
loopback once each, with the ERP's id recorded, and the run publishes the reconciliation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from erp_rest_server import ErpRestServer
from sqlalchemy import select

from cli.sample_data import write_sample_data
from flows.nightly import nightly_replenishment
from flows.outcomes import summary_of
from replenish.bootstrap import build
from settings import load_settings
from storage.models import PurchaseOrder, Submission

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]
AS_OF = date(2025, 3, 14)


@pytest.fixture
def server() -> Iterator[ErpRestServer]:
    erp = ErpRestServer(token="night-token", honour_idempotency=False).up()
    yield erp
    erp.down()


def test_the_nights_orders_reach_the_rest_erp_once_and_are_reconciled(
    server: ErpRestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database of its own: the reconciliation compares every order recorded as sent
    # with what this ERP holds, and the session's shared database holds other tests'.
    for name, value in {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'night.db'}",
        "EMAIL__OUTBOX_DIR": str(tmp_path / "outbox"),
        "ERP__ADAPTER": "rest", "ERP__BASE_URL": server.base_url, "ERP__TOKEN": "night-token",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"REPLENISH_{name}", value)
    write_sample_data(tmp_path / "data", items=20, seed=5, dirty=0.0, as_of=AS_OF)
    state = nightly_replenishment(source=str(tmp_path / "data"), as_of=AS_OF, return_state=True)
    summary = summary_of(state.result(raise_on_failure=False))
    assert summary is not None
    assert summary["submitted"] > 0, summary
    services = build(load_settings())
    with services.uow() as uow:
        keys = list(
            uow.session.scalars(
                select(PurchaseOrder.po_key).where(
                    PurchaseOrder.run_id == summary["run_id"], PurchaseOrder.status == "submitted"
                )
            )
        )
        rows = uow.session.execute(
            select(Submission.po_key, Submission.external_ref).where(Submission.po_key.in_(keys))
        )
        refs = {str(key): str(ref) for key, ref in rows}
    services.engine.dispose()
    assert len(keys) == summary["submitted"]
    for key in keys:
        [held] = server.held(key)
        assert refs[key] == str(held["id"])

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def artifacts() -> list[str]:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["erp-reconciliation"])),
                limit=50,
            )
        return [str(a.data) for a in found]

    assert any(f"All {len(keys)} orders sent agree" in text for text in asyncio.run(artifacts()))
